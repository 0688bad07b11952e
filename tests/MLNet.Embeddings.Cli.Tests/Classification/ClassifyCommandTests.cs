using System.Text.Json;
using MLNet.Embeddings.CrossEncoders;

namespace MLNet.Embeddings.Cli.Tests.Classification;

/// <summary><c>classify train|predict|eval</c> end to end on the tiny BERT fixture, and their errors on bad data.</summary>
[Collection("Console")]
public class ClassifyCommandTests
{
    static readonly string Model = Path.Combine(Repository.Root, "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
    static readonly string[] Labels = ["animal", "food", "vehicle"];

    /// <summary>An easy separable set: each class has four marker words; a text is filler plus one marker of its class.</summary>
    static void WriteRows(string path, int perClass, int seed)
    {
        var words = File.ReadAllLines(Path.Combine(Model, "vocab.txt")).Skip(5).Where(w => w.Length > 2 && w.All(char.IsAsciiLetterLower)).Distinct().Take(80).ToList();
        var fillers = words.Skip(Labels.Length * 4).ToList();
        var rng = new Random(seed);
        string Fill(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => fillers[rng.Next(fillers.Count)]));
        var lines = new List<string>();
        for (int i = 0; i < perClass; i++)
            for (int c = 0; c < Labels.Length; c++)
                lines.Add(JsonSerializer.Serialize(new { text = Fill(2) + " " + words[c * 4 + rng.Next(4)] + " " + Fill(2), label = Labels[c] }));
        File.WriteAllLines(path, lines);
    }

    static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-classify-cli", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void TrainPredictEvalComposeAndReachHighAccuracy()
    {
        string dir = TempDir();
        try
        {
            string train = Path.Combine(dir, "train.jsonl"), test = Path.Combine(dir, "test.jsonl"), output = Path.Combine(dir, "classifier");
            WriteRows(train, 16, 1); WriteRows(test, 6, 2);
            var (code, stdout, stderr) = ConsoleRun.Cli("classify", "train", "--model", Model, "--train", train, "--output", output, "--eval", test,
                "--epochs", "40", "--batch-size", "8", "--lr", "3e-3", "--seed", "3", "--class-weights", "auto", "--embedding-lr", "1e-3", "--layer-decay", "0.9");
            Assert.True(code == 0, stderr);
            Assert.Contains("new classification head", stderr);
            Assert.Contains("learning-rate groups", stderr);
            using (var summary = JsonDocument.Parse(stdout.Trim()))
                Assert.True(summary.RootElement.GetProperty("best_metric").GetProperty("accuracy").GetDouble() >= 0.9, stderr);
            Assert.Equal(Labels, CrossEncoder.Load(output).Labels);

            string predictions = Path.Combine(dir, "predictions.jsonl");
            (code, _, stderr) = ConsoleRun.Cli("classify", "predict", "--model", output, "--input", test, "--output", predictions);
            Assert.True(code == 0, stderr);
            var truth = File.ReadAllLines(test).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("label").GetString()).ToArray();
            var lines = File.ReadAllLines(predictions);
            Assert.Equal(truth.Length, lines.Length);
            int correct = 0;
            for (int i = 0; i < lines.Length; i++)
            {
                using var p = JsonDocument.Parse(lines[i]);
                Assert.Equal(i, p.RootElement.GetProperty("index").GetInt32());
                var scores = p.RootElement.GetProperty("scores").EnumerateObject().ToDictionary(s => s.Name, s => s.Value.GetDouble());
                Assert.Equal(Labels, scores.Keys.ToArray());
                Assert.Equal(1.0, scores.Values.Sum(), 4);
                string label = p.RootElement.GetProperty("label").GetString()!;
                Assert.Equal(scores.MaxBy(kv => kv.Value).Key, label);
                if (label == truth[i]) correct++;
            }

            string reportPath = Path.Combine(dir, "report.json");
            (code, _, stderr) = ConsoleRun.Cli("classify", "eval", "--model", output, "--data", test, "--output", reportPath);
            Assert.True(code == 0, stderr);
            using var report = JsonDocument.Parse(File.ReadAllText(reportPath));
            var root = report.RootElement;
            Assert.Equal((double)correct / truth.Length, root.GetProperty("accuracy").GetDouble(), 9);
            Assert.True(root.GetProperty("accuracy").GetDouble() >= 0.9);
            Assert.True(root.GetProperty("macro_f1").GetDouble() >= 0.9);
            Assert.Equal(6, root.GetProperty("per_class").GetProperty("food").GetProperty("support").GetInt32());
            var matrix = root.GetProperty("confusion_matrix").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
            Assert.Equal(correct, Enumerable.Range(0, 3).Sum(i => matrix[i][i]));
            Assert.Equal(truth.Length, matrix.Sum(r => r.Sum()));
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void BadInputsNameTheFileAndLine()
    {
        string dir = TempDir();
        try
        {
            string Write(string name, params string[] lines) { string p = Path.Combine(dir, name); File.WriteAllLines(p, lines); return p; }
            string output = Path.Combine(dir, "out");

            var oneClass = Write("one.jsonl", """{"text": "a b", "label": "x"}""", """{"text": "c d", "label": "x"}""");
            var (code, _, stderr) = ConsoleRun.Cli("classify", "train", "--model", Model, "--train", oneClass, "--output", output);
            Assert.Equal(1, code);
            Assert.Contains("one.jsonl", stderr);
            Assert.Contains("two classes", stderr);

            var noLabel = Write("nolabel.jsonl", """{"text": "a b", "label": "x"}""", """{"text": "c d", "label": "y"}""", """{"text": "e f"}""");
            (code, _, stderr) = ConsoleRun.Cli("classify", "train", "--model", Model, "--train", noLabel, "--output", output);
            Assert.Equal(1, code);
            Assert.Contains("nolabel.jsonl:3: field 'label'", stderr);

            var noText = Write("notext.jsonl", """{"text": "a b", "label": "x"}""", """{"sentence": "c d", "label": "y"}""");
            (code, _, stderr) = ConsoleRun.Cli("classify", "train", "--model", Model, "--train", noText, "--output", output);
            Assert.Equal(1, code);
            Assert.Contains("notext.jsonl:2: field 'text'", stderr);

            var bad = Write("badweights.jsonl", """{"text": "a b", "label": "x"}""", """{"text": "c d", "label": "y"}""");
            (code, _, stderr) = ConsoleRun.Cli("classify", "train", "--model", Model, "--train", bad, "--output", output, "--class-weights", "some");
            Assert.Equal(1, code);
            Assert.Contains("--class-weights", stderr);

            // A classifier with labels x and y, then data with an unknown label at evaluation time.
            (code, _, stderr) = ConsoleRun.Cli("classify", "train", "--model", Model, "--train", bad, "--output", output, "--max-steps", "1");
            Assert.True(code == 0, stderr);
            var unknown = Write("eval.jsonl", """{"text": "a b", "label": "x"}""", """{"text": "c d", "label": "z"}""");
            string report = Path.Combine(dir, "report.json");
            (code, _, stderr) = ConsoleRun.Cli("classify", "eval", "--model", output, "--data", unknown, "--output", report);
            Assert.Equal(1, code);
            Assert.Contains("eval.jsonl:2: field 'label': 'z' is not one of the model's labels (x, y)", stderr);
            Assert.False(File.Exists(report));
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));

            (code, _, stderr) = ConsoleRun.Cli("classify", "predict", "--model", Model, "--input", unknown);
            Assert.Equal(1, code);
            Assert.Contains("not a sequence-classification model", stderr);
        }
        finally { Directory.Delete(dir, true); }
    }
}
