using System.Text.Json.Nodes;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Training.Classification;
using MLNet.Embeddings.Training.Reranking;
using MLNet.Embeddings.Training.Tests.Training;

namespace MLNet.Embeddings.Training.Tests.Classification;

/// <summary>
/// End-to-end sequence classifiers on the tiny BERT: a cross-encoder with N labels trained with (weighted) cross-entropy,
/// on single texts and on pairs; saved and reloaded; the loss's gradient against finite differences; bad data.
/// </summary>
public class SequenceClassifierTests
{
    internal static string TinyBert => Path.Combine(TestPaths.RepoRoot(), "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");

    /// <summary>
    /// An easy separable set: each class has its own marker words; a text is filler words plus one marker of its class.
    /// With <paramref name="pairs"/>, the marker sits in the second text and the first is filler only.
    /// </summary>
    internal static (List<LabelledText> Train, List<LabelledText> Test) SeparableSet(CrossEncoder model, string[] labels, bool pairs = false, int perClass = 16)
    {
        var words = Enumerable.Range(5, 600).Select(i => model.Tokenizer.IdToToken(i)!).Where(w => w.All(char.IsAsciiLetterLower) && w.Length > 2).Distinct().Take(80).ToList();
        var markers = labels.Select((_, c) => words.Skip(c * 4).Take(4).ToArray()).ToArray();
        var fillers = words.Skip(labels.Length * 4).ToList();
        var rng = new Random(7);
        string Fill(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => fillers[rng.Next(fillers.Count)]));
        List<LabelledText> Rows(int count, int line0)
        {
            var rows = new List<LabelledText>();
            for (int i = 0; i < count; i++)
                for (int c = 0; c < labels.Length; c++)
                {
                    string marked = Fill(2) + " " + markers[c][rng.Next(4)] + " " + Fill(2);
                    rows.Add(pairs ? new LabelledText(Fill(3), marked, labels[c], line0 + rows.Count + 1) : new LabelledText(marked, null, labels[c], line0 + rows.Count + 1));
                }
            return rows;
        }
        return (Rows(perClass, 0), Rows(6, 1000));
    }

    static CrossEncoderTrainerOptions Options(List<float> losses, int epochs = 40) => new()
    {
        ChunkSize = 16,
        Trainer = new TrainerOptions { Epochs = epochs, BatchSize = 8, LearningRate = 3e-3f, Seed = 3, Progress = new SyncProgress(p => losses.Add(p.Loss)) },
    };

    [Fact]
    public void SingleTextClassifierLearnsASeparableSetAndReloadsWithTheSamePredictions()
    {
        string[] labels = ["animal", "food", "vehicle"];
        var model = CrossEncoder.FromEncoder(TinyBert, labels, seed: 1);
        var (train, test) = SeparableSet(model, labels);
        var evaluator = new ClassificationEvaluator(test, "test.jsonl");
        double before = evaluator.Evaluate(model).Accuracy;
        var losses = new List<float>();
        string output = TestPaths.TempDir();
        try
        {
            var options = Options(losses);
            options.Trainer.OutputDirectory = output;
            options.ClassificationEvaluator = evaluator;
            var summary = new CrossEncoderTrainer(model, options).Fit(train, "train.jsonl");
            var report = evaluator.Evaluate(model);
            Assert.True(report.Accuracy >= 0.9, $"accuracy {before:F3} → {report.Accuracy:F3}");
            Assert.True(report.MacroF1 >= 0.9, $"macro-F1 {report.MacroF1:F3}");
            Assert.True(losses.TakeLast(5).Average() < losses.Take(5).Average() * 0.5, $"loss {losses.Take(5).Average():F3} → {losses.TakeLast(5).Average():F3}");
            Assert.Equal("accuracy", summary.PrimaryMetric);

            // The saved folder is what transformers reads: a BertForSequenceClassification with the label set.
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "config.json")))!;
            Assert.Equal("BertForSequenceClassification", (string?)config["architectures"]![0]);
            Assert.Equal("vehicle", (string?)config["id2label"]!["2"]);
            Assert.Equal(1, (int?)config["label2id"]!["food"]);
            Assert.Contains("CrossEntropyLoss", File.ReadAllText(Path.Combine(output, "model_card.json")));

            var reloaded = CrossEncoder.Load(output);
            Assert.Equal(labels, reloaded.Labels);
            var texts = test.Select(r => r.Text).ToArray();
            var a = model.Classify(texts); var b = reloaded.Classify(texts);
            for (int i = 0; i < texts.Length; i++)
            {
                Assert.Equal(a[i].Label, b[i].Label);
                Assert.Equal(a[i].Probabilities, b[i].Probabilities);
                Assert.Equal(1.0, a[i].Probabilities.Sum(), 4);
            }
        }
        finally { Directory.Delete(output, true); }
    }

    [Fact]
    public void PairClassifierWithIntegerLabelsAndClassWeightsLearns()
    {
        string[] labels = ["0", "1"];
        var model = CrossEncoder.FromEncoder(TinyBert, labels, seed: 2);
        var (train, test) = SeparableSet(model, labels, pairs: true);
        train = train.Where(r => r.Label == "0" || r.Line % 4 == 0).ToList(); // imbalanced: fewer "1" rows
        var options = Options(new List<float>(), epochs: 40);
        options.ClassWeights = ClassificationData.BalancedWeights(train, labels);
        Assert.True(options.ClassWeights[1] > options.ClassWeights[0]);
        new CrossEncoderTrainer(model, options).Fit(train);
        var report = new ClassificationEvaluator(test).Evaluate(model);
        Assert.True(report.Accuracy >= 0.85, $"accuracy {report.Accuracy:F3}");
        Assert.Equal(test.Count, report.Confusion.Sum(r => r.Sum()));
    }

    [Fact]
    public void WeightedCrossEntropyGradientMatchesFiniteDifferences()
    {
        var rng = new Random(11);
        const int n = 5, k = 4;
        var logits = Enumerable.Range(0, n * k).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        int[] targets = [0, 3, 1, 3, 2];
        float[] weights = [0.5f, 2f, 1f, 3f];
        foreach (var w in new[] { null, weights })
        {
            double denominator = targets.Sum(t => ClassificationLoss.Weight(w, t));
            var grad = new float[n * k];
            double loss = ClassificationLoss.Compute(logits, targets, k, w, denominator, grad);
            // The loss by definition (PyTorch's CrossEntropyLoss(weight, reduction='mean')), in double.
            double expected = 0;
            for (int i = 0; i < n; i++)
            {
                double lse = Math.Log(Enumerable.Range(0, k).Sum(j => Math.Exp(logits[i * k + j])));
                expected += ClassificationLoss.Weight(w, targets[i]) * (lse - logits[i * k + targets[i]]);
            }
            Assert.Equal(expected / denominator, loss, 9);
            const float h = 1e-2f;
            for (int e = 0; e < logits.Length; e++)
            {
                var plus = (float[])logits.Clone(); plus[e] += h;
                var minus = (float[])logits.Clone(); minus[e] -= h;
                var scratch = new float[n * k];
                double fd = (ClassificationLoss.Compute(plus, targets, k, w, denominator, scratch) - ClassificationLoss.Compute(minus, targets, k, w, denominator, scratch)) / (2 * h);
                Assert.True(Math.Abs(grad[e] - fd) <= 1e-3 * Math.Max(Math.Abs(fd), 1e-2), $"logit {e}: analytic {grad[e]} vs finite difference {fd}");
            }
        }
    }

    [Fact]
    public void ChunksAddUpToTheWholeBatchAndFrozenEmbeddingsStayFixed()
    {
        string[] labels = ["a", "b", "c"];
        var (train, _) = SeparableSet(CrossEncoder.FromEncoder(TinyBert, labels), labels, perClass: 4);
        CrossEncoder Run(int chunk, bool freeze)
        {
            var m = CrossEncoder.FromEncoder(TinyBert, labels, seed: 4);
            new CrossEncoderTrainer(m, new CrossEncoderTrainerOptions
            {
                ChunkSize = chunk, ClassWeights = [1f, 2f, 0.5f],
                Trainer = new TrainerOptions { MaxSteps = 2, BatchSize = 12, LearningRate = 1e-3f, Dropout = 0, Shuffle = false, FreezeEmbeddings = freeze, LayerDecay = freeze ? 0.5f : 1f },
            }).Fit(train);
            return m;
        }
        var whole = Run(12, false); var chunked = Run(5, false);
        var pw = whole.Backbone.Parameters.Concat(whole.Head.Parameters).ToList();
        var pc = chunked.Backbone.Parameters.Concat(chunked.Head.Parameters).ToList();
        for (int i = 0; i < pw.Count; i++)
            for (int j = 0; j < pw[i].Value.Length; j++)
                Assert.True(Math.Abs(pw[i].Value[j] - pc[i].Value[j]) < 1e-5f, $"{pw[i].Name}[{j}]: {pw[i].Value[j]} vs {pc[i].Value[j]}");

        var start = CrossEncoder.FromEncoder(TinyBert, labels, seed: 4);
        var frozen = Run(12, true);
        var p0 = start.Backbone.Parameters.ToDictionary(p => p.Name, p => p.Value);
        foreach (var p in frozen.Backbone.Parameters)
        {
            if (p.Name.StartsWith("embeddings.", StringComparison.Ordinal)) Assert.Equal(p0[p.Name], p.Value);
        }
        Assert.NotEqual(p0["encoder.layer.0.attention.self.query.weight"], frozen.Backbone.Parameters.First(p => p.Name == "encoder.layer.0.attention.self.query.weight").Value);
    }

    [Fact]
    public void BadDataNamesTheFileAndLine()
    {
        string dir = TestPaths.TempDir();
        try
        {
            string Write(string name, params string[] lines) { string p = Path.Combine(dir, name); File.WriteAllLines(p, lines); return p; }
            var missingLabel = Write("missing-label.jsonl", """{"text": "a", "label": "x"}""", """{"text": "b"}""");
            var ex = Assert.Throws<DatasetFormatException>(() => ClassificationData.Read(missingLabel));
            Assert.Contains("missing-label.jsonl:2", ex.Message);
            Assert.Contains("'label'", ex.Message);
            Assert.Equal(2, ClassificationData.Read(missingLabel, requireLabels: false).Count);

            var noText = Write("no-text.jsonl", """{"text": "a", "label": 1}""", "", """{"sentence1": "a", "label": 2}""");
            ex = Assert.Throws<DatasetFormatException>(() => ClassificationData.Read(noText));
            Assert.Contains("no-text.jsonl:3", ex.Message);
            Assert.Contains("'sentence2'", ex.Message);
            ex = Assert.Throws<DatasetFormatException>(() => ClassificationData.Read(Write("none.jsonl", """{"title": "a", "label": 1}""")));
            Assert.Contains("none.jsonl:1: field 'text'", ex.Message);

            var oneClass = ClassificationData.Read(Write("one.jsonl", """{"text": "a", "label": "spam"}""", """{"text": "b", "label": "spam"}"""));
            ex = Assert.Throws<DatasetFormatException>(() => ClassificationData.Labels(oneClass, "one.jsonl"));
            Assert.Contains("one.jsonl", ex.Message);
            Assert.Contains("two classes", ex.Message);

            var model = CrossEncoder.FromEncoder(TinyBert, ["ham", "spam"]);
            var unknown = ClassificationData.Read(Write("eval.jsonl", """{"text": "a", "label": "spam"}""", """{"text": "b", "label": "eggs"}"""));
            ex = Assert.Throws<DatasetFormatException>(() => new ClassificationEvaluator(unknown, Path.Combine(dir, "eval.jsonl")).Evaluate(model));
            Assert.Contains("eval.jsonl:2", ex.Message);
            Assert.Contains("'eggs' is not one of the model's labels (ham, spam)", ex.Message);
            ex = Assert.Throws<DatasetFormatException>(() => new CrossEncoderTrainer(model).Fit(unknown, "train.jsonl"));
            Assert.Contains("train.jsonl:2", ex.Message);

            Assert.Equal(["-1", "2", "10"], ClassificationData.Labels([new("a", null, "10"), new("b", null, "2"), new("c", null, "-1")]));
            Assert.Throws<ConfigurationException>(() => new CrossEncoderTrainer(CrossEncoder.FromEncoder(TinyBert)).Fit(oneClass));
            Assert.Throws<ConfigurationException>(() => new CrossEncoderTrainer(model, new CrossEncoderTrainerOptions { ClassWeights = [1f] }).Fit(unknown));
        }
        finally { Directory.Delete(dir, true); }
    }
}
