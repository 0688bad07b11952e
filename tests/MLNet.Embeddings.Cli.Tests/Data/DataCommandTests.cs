using System.Text.Json;

namespace MLNet.Embeddings.Cli.Tests.Data;

[Collection("Console")]
public class DataCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-cli-data-" + Guid.NewGuid().ToString("N"));

    public DataCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private string F(string name) => Path.Combine(_dir, name);

    private static string SharedData(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MLNet.Embeddings.sln"))) dir = dir.Parent;
        var p = Path.GetFullPath(Path.Combine(dir!.FullName, "..", "shared", "data", relative));
        Assert.True(File.Exists(p), $"shared data file missing: {p}");
        return p;
    }

    private static (int Code, string Out) RunRaw(params string[] args)
    {
        var oldOut = Console.Out;
        var oldErr = Console.Error;
        var sw = new StringWriter();
        Console.SetOut(sw);
        Console.SetError(new StringWriter());
        try { return (CliApp.Run(args), sw.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }

    private static (int Code, JsonElement Json) Run(params string[] args)
    {
        var (code, text, _) = ConsoleRun.Cli(args);
        return (code, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public void ImportValidateMineSplitLeakagePipeline()
    {
        var (code, imp) = Run("data", "import", "--input", SharedData("financial-qa-10k/Financial-QA-10k.csv"),
            "--query-column", "question", "--pos-column", "answer", "--prompt", "Represent this question: ", "--type", "qa", "--output", F("fin.jsonl"));
        Assert.Equal(0, code);
        Assert.Equal(6997, imp.GetProperty("rows_written").GetInt64());
        Assert.Equal([1729, 1735, 2733], imp.GetProperty("skipped").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()).ToArray());

        (code, var val) = Run("data", "validate", "--input", F("fin.jsonl"));
        Assert.Equal(0, code);
        Assert.True(val.GetProperty("is_valid").GetBoolean());

        (code, var mine) = Run("data", "mine", "--input", F("fin.jsonl"), "--output", F("mined.jsonl"), "--method", "bm25",
            "--negatives", "4", "--range-min", "2", "--range-max", "40", "--sampling", "random", "--seed", "7");
        Assert.Equal(0, code);
        Assert.Equal(6997, mine.GetProperty("rows").GetInt64());
        var first = JsonDocument.Parse(File.ReadLines(F("mined.jsonl")).First()).RootElement;
        Assert.Equal(4, first.GetProperty("neg").GetArrayLength());
        Assert.Equal("bm25", first.GetProperty("neg_meta")[0].GetProperty("method").GetString());

        (code, var split) = Run("data", "split", "--input", F("mined.jsonl"), "--output-dir", F("splits"), "--ratios", "0.8,0.1,0.1", "--seed", "1");
        Assert.Equal(0, code);
        Assert.Equal(6997, split.GetProperty("rows").EnumerateArray().Sum(e => e.GetInt64()));
        foreach (var n in new[] { "train", "val", "test" }) Assert.True(File.Exists(F($"splits/{n}.jsonl")));

        (code, var leak) = Run("data", "leakage", "--files", F("splits/train.jsonl"), F("splits/val.jsonl"), F("splits/test.jsonl"));
        Assert.Equal(0, code);
        Assert.Equal(3, leak.GetProperty("pairs").GetArrayLength());

        (code, leak) = Run("data", "leakage", "--files", F("fin.jsonl"), F("splits/test.jsonl"));
        Assert.Equal(2, code);
        Assert.True(leak.GetProperty("pairs")[0].GetProperty("exact_overlap").GetInt64() > 0);
    }

    [Fact]
    public void ValidateListsEveryBadLineAndExitsNonZero()
    {
        File.WriteAllText(F("bad.jsonl"), "{\"query\":\"q\",\"pos\":[\"p\"]}\n{\"query\":\"q\"}\n{oops\n{\"query\":\"same\",\"pos\":[\"same\"]}\n");
        var (code, r) = Run("data", "validate", "--input", F("bad.jsonl"));
        Assert.NotEqual(0, code);
        Assert.Equal([2, 3, 4], r.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("line").GetInt32()).ToArray());
    }

    [Fact]
    public void ValidateWritesTheReportIntoAFolderThatDoesNotExistYet()
    {
        File.WriteAllText(F("ok.jsonl"), "{\"query\":\"q\",\"pos\":[\"p\"]}\n");
        var report = F("reports/sub/report.json");
        var (code, _, err) = ConsoleRun.Cli("data", "validate", "--input", F("ok.jsonl"), "--output", report);
        Assert.True(code == 0, err);
        Assert.True(JsonDocument.Parse(File.ReadAllText(report)).RootElement.GetProperty("is_valid").GetBoolean());
        Assert.Empty(Directory.GetFiles(F("reports/sub"), "*.tmp"));
    }

    [Fact]
    public void CleanAugmentExpandAndErrorsLeaveNoOutput()
    {
        File.WriteAllText(F("in.jsonl"),
            "{\"query\":\"What is the <b>total</b> revenue?\",\"pos\":[\"Total revenue was large.\"]}\n" +
            "{\"query\":\"What is the total revenue?\",\"pos\":[\"Total revenue was large.\"]}\n" +
            "{\"query\":\"How many employees work there?\",\"pos\":[\"About five thousand people.\"]}\n");
        var (code, clean) = Run("data", "clean", "--input", F("in.jsonl"), "--output", F("clean.jsonl"));
        Assert.Equal(0, code);
        Assert.Equal(2, clean.GetProperty("rows_written").GetInt64());
        Assert.Equal(2, clean.GetProperty("dropped")[0].GetProperty("line").GetInt32());

        var (rawCode, jsonl) = RunRaw("data", "clean", "--input", F("in.jsonl"));
        Assert.Equal(0, rawCode);
        var lines = jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("What is the total revenue?", JsonDocument.Parse(lines[0]).RootElement.GetProperty("query").GetString());

        File.WriteAllText(F("thes.txt"), "# synonyms\nrevenue, sales, turnover\nemployees\tstaff\n");
        (code, var aug) = Run("data", "augment", "--input", F("clean.jsonl"), "--output", F("aug.jsonl"), "--thesaurus", F("thes.txt"), "--ops", "synonym,swap");
        Assert.Equal(0, code);
        var rows = File.ReadAllLines(F("aug.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(rows, r => r.TryGetProperty("augmented", out var a) && a.GetString() == "synonym" && !r.GetProperty("query").GetString()!.Contains("revenue"));
        Assert.Equal(aug.GetProperty("rows_written").GetInt64(), rows.Count);

        (code, _) = Run("data", "expand", "--input", F("clean.jsonl"), "--output", F("exp.jsonl"), "--batch-size", "2");
        Assert.Equal(0, code);
        Assert.Equal(1, JsonDocument.Parse(File.ReadLines(F("exp.jsonl")).First()).RootElement.GetProperty("neg").GetArrayLength());

        File.WriteAllText(F("broken.jsonl"), "{\"query\":\"q\",\"pos\":[\"p\"]}\n{\"query\":1}\n");
        (code, _) = Run("data", "clean", "--input", F("broken.jsonl"), "--output", F("never.jsonl"));
        Assert.NotEqual(0, code);
        Assert.False(File.Exists(F("never.jsonl")));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        (code, _) = Run("data", "mine", "--input", F("clean.jsonl"), "--output", F("never.jsonl"), "--method", "dense");
        Assert.NotEqual(0, code);
        Assert.False(File.Exists(F("never.jsonl")));
    }

    [Fact]
    public void DenseMiningWithWordVectorModelWritesTeacherScores()
    {
        var rng = new Random(5);
        string[] words = ["apple", "banana", "cherry", "grape", "lemon", "mango", "melon", "peach", "pear", "plum"];
        File.WriteAllLines(F("tiny.txt"), words.Select(w => w + " " + string.Join(' ', Enumerable.Range(0, 6).Select(_ => (rng.NextDouble() - 0.5).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))));
        string S(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => words[rng.Next(words.Length)]));
        File.WriteAllLines(F("rows.jsonl"), Enumerable.Range(0, 30).Select(_ => $"{{\"query\":\"{S(2)}\",\"pos\":[\"{S(4)}\"]}}"));
        var (code, summary) = Run("data", "mine", "--input", F("rows.jsonl"), "--output", F("dense.jsonl"), "--method", "dense",
            "--model", F("tiny.txt"), "--negatives", "2", "--teacher-scores");
        Assert.Equal(0, code);
        Assert.Equal("dense", summary.GetProperty("method").GetString());
        foreach (var line in File.ReadLines(F("dense.jsonl")))
        {
            var r = JsonDocument.Parse(line).RootElement;
            Assert.Equal(r.GetProperty("neg").GetArrayLength(), r.GetProperty("neg_scores").GetArrayLength());
            Assert.Equal(1, r.GetProperty("pos_scores").GetArrayLength());
        }
    }
}
