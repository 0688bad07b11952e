using System.Text.Json;
using MLNet.Embeddings.Tensors;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training.Tests.Training;

namespace MLNet.Embeddings.Training.Tests.Losses;

/// <summary>
/// The label-based losses (softmax, batch-all/hard/semi-hard triplet) against PyTorch autograd
/// (tools/fixtures/make_label_loss_fixtures.py: loss within 1e-4, gradients within 1e-3 relative) and against
/// central finite differences; the softmax classifier's own weights are trained by the trainer.
/// </summary>
public class LabelLossTests
{
    static readonly Lazy<JsonElement[]> Cases = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("losses", "label_losses.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone()).ToArray();
    });

    public static IEnumerable<object[]> CaseIndices() => Enumerable.Range(0, 10).Select(i => new object[] { i });

    static ILoss Build(string name, JsonElement p)
    {
        DistanceMetric dist = p.TryGetProperty("distance", out var d) && d.GetString() == "cosine" ? DistanceMetric.Cosine : DistanceMetric.Euclidean;
        float margin = p.TryGetProperty("margin", out var m) ? (float)m.GetDouble() : 0f;
        return name switch
        {
            "batch-all-triplet" => new BatchAllTripletLoss { Distance = dist, Margin = margin },
            "batch-hard-triplet" => new BatchHardTripletLoss { Distance = dist, Margin = margin },
            "batch-semi-hard-triplet" => new BatchSemiHardTripletLoss { Distance = dist, Margin = margin },
            "softmax" => new SoftmaxLoss { NumLabels = p.GetProperty("num_labels").GetInt32() },
            _ => throw new ArgumentException(name),
        };
    }

    static float[] Floats(JsonElement a) => a.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    static void Close(float[] actual, float[] expected, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = expected.Max(MathF.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(actual[i] - expected[i]) <= 1e-3f * scale + 1e-6f, $"{what} value {i}: {actual[i]} vs torch {expected[i]}");
    }

    [Fact]
    public void FixtureHasAllCases() => Assert.Equal(10, Cases.Value.Length);

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void MatchesTorch(int index)
    {
        var c = Cases.Value[index];
        var loss = Build(c.GetProperty("name").GetString()!, c.GetProperty("params"));
        var cols = c.GetProperty("columns").EnumerateArray().Select(TorchLossParityTests.ReadMatrix).ToArray();
        if (loss is SoftmaxLoss s)
        {
            s.Initialize(cols[0].Cols);
            TorchLossParityTests.ReadMatrix(c.GetProperty("weight")).Data.CopyTo(s.Parameters[0].Value, 0);
            Floats(c.GetProperty("bias")).CopyTo(s.Parameters[1].Value, 0);
        }
        var result = loss.Compute(new LossInput { Columns = cols, Labels = Floats(c.GetProperty("labels")) });
        double expected = c.GetProperty("loss").GetDouble();
        Assert.True(Math.Abs(result.Loss - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"{loss.Name}: loss {result.Loss} vs torch {expected}");
        var grads = c.GetProperty("grads").EnumerateArray().Select(TorchLossParityTests.ReadMatrix).ToArray();
        Assert.Equal(grads.Length, result.Gradients.Length);
        for (int k = 0; k < grads.Length; k++) Close(result.Gradients[k].Data, grads[k].Data, $"{loss.Name} column {k}");
        if (loss is SoftmaxLoss sm)
        {
            Close(sm.Parameters[0].Grad, TorchLossParityTests.ReadMatrix(c.GetProperty("weight_grad")).Data, "classifier.weight grad");
            Close(sm.Parameters[1].Grad, Floats(c.GetProperty("bias_grad")), "classifier.bias grad");
        }
    }

    static Matrix Random(Random rng, int rows, int cols)
    {
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        return m;
    }

    public static IEnumerable<object[]> FiniteDifferenceLosses() => new[]
    {
        new object[] { "batch-all-triplet", false }, new object[] { "batch-all-triplet", true },
        new object[] { "batch-hard-triplet", false }, new object[] { "batch-hard-triplet", true },
        new object[] { "batch-semi-hard-triplet", false }, new object[] { "batch-semi-hard-triplet", true },
        new object[] { "softmax", false },
    };

    [Theory]
    [MemberData(nameof(FiniteDifferenceLosses))]
    public void GradientMatchesFiniteDifferences(string name, bool cosine)
    {
        var rng = new Random(11);
        const int b = 6, d = 5;
        var dist = cosine ? DistanceMetric.Cosine : DistanceMetric.Euclidean;
        float margin = cosine ? 0.6f : 1.5f;
        ILoss loss = name switch
        {
            "batch-all-triplet" => new BatchAllTripletLoss { Distance = dist, Margin = margin },
            "batch-hard-triplet" => new BatchHardTripletLoss { Distance = dist, Margin = margin },
            "batch-semi-hard-triplet" => new BatchSemiHardTripletLoss { Distance = dist, Margin = margin },
            _ => new SoftmaxLoss { NumLabels = 3 },
        };
        var cols = Enumerable.Range(0, loss is SoftmaxLoss ? 2 : 1).Select(_ => Random(rng, b, d)).ToArray();
        var labels = new[] { 0f, 1f, 2f, 0f, 1f, 2f };
        LossInput In() => new() { Columns = cols, Labels = labels };
        var analytic = loss.Compute(In());
        Assert.True(analytic.Loss > 0, "the case must have active terms");
        const float h = 1e-3f;
        for (int c = 0; c < cols.Length; c++)
            for (int i = 0; i < cols[c].Data.Length; i++)
            {
                float keep = cols[c].Data[i];
                cols[c].Data[i] = keep + h; double up = loss.Compute(In()).Loss;
                cols[c].Data[i] = keep - h; double down = loss.Compute(In()).Loss;
                cols[c].Data[i] = keep;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic.Gradients[c].Data[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric),
                    $"{name}: column {c} value {i}: analytic {analytic.Gradients[c].Data[i]} vs numeric {numeric}");
            }
        if (loss is SoftmaxLoss s)
        {
            // the classifier's own gradient, against finite differences as well
            var w = s.Parameters[0];
            foreach (var p in s.Parameters) p.ZeroGrad();
            loss.Compute(In());
            var g = w.Grad.ToArray();
            for (int i = 0; i < w.Value.Length; i += 7)
            {
                float keep = w.Value[i];
                w.Value[i] = keep + h; double up = loss.Compute(In()).Loss;
                w.Value[i] = keep - h; double down = loss.Compute(In()).Loss;
                w.Value[i] = keep;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - g[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric), $"classifier.weight {i}: analytic {g[i]} vs numeric {numeric}");
            }
        }
    }

    [Fact]
    public void FactoryBuildsTheLabelLossesByName()
    {
        Assert.IsType<SoftmaxLoss>(LossFactory.Create("softmax"));
        Assert.Equal(0.7f, Assert.IsType<BatchAllTripletLoss>(LossFactory.Create("batch-all-triplet", new LossOptions { Margin = 0.7f })).Margin);
        Assert.Equal(5f, Assert.IsType<BatchHardTripletLoss>(LossFactory.Create("batch-hard-triplet")).Margin);
        Assert.IsType<BatchSemiHardTripletLoss>(LossFactory.Create("batch-semi-hard-triplet"));
        foreach (var n in new[] { "softmax", "batch-all-triplet", "batch-hard-triplet", "batch-semi-hard-triplet" }) Assert.Contains(n, LossFactory.Names);
        Assert.Throws<ConfigurationException>(() => LossFactory.Create("softmax", new LossOptions { MatryoshkaDimensions = [4] }));
    }

    [Fact]
    public void SoftmaxRejectsALabelOutsideItsClasses()
    {
        var loss = new SoftmaxLoss { NumLabels = 2 };
        var cols = new[] { new Matrix(2, 3), new Matrix(2, 3) };
        var e = Assert.Throws<ArgumentException>(() => loss.Compute(new LossInput { Columns = cols, Labels = [0f, 2f] }));
        Assert.Contains("label 2", e.Message);
    }

    static List<TrainingExample> NliRows() =>
    [
        new() { Query = "a man plays guitar", Pos = ["a person makes music"], Label = 0, Line = 1 },
        new() { Query = "a man plays guitar", Pos = ["nobody is playing"], Label = 2, Line = 2 },
        new() { Query = "two dogs run", Pos = ["animals are outside"], Label = 1, Line = 3 },
        new() { Query = "two dogs run", Pos = ["the dogs sleep"], Label = 2, Line = 4 },
    ];

    [Fact]
    public void TrainerStepsTheSoftmaxClassifierAndTakesTheLabelCountFromTheData()
    {
        var model = BertTrainingTests.TinyBert();
        var loss = new SoftmaxLoss();
        var options = new TrainerOptions { MaxSteps = 3, BatchSize = 4, LearningRate = 1e-2f, Shuffle = false, Dropout = 0 };
        var losses = new List<float>();
        options.Progress = new SyncProgress(p => losses.Add(p.Loss));
        new SentenceEncoderTrainer(model, loss, options).Fit(NliRows());
        Assert.Equal(3, loss.NumLabels);
        Assert.Equal([3, 3 * model.Dimensions], loss.Parameters[0].Shape);
        var fresh = new SoftmaxLoss { NumLabels = 3 };
        fresh.Initialize(model.Dimensions);
        Assert.NotEqual(fresh.Parameters[0].Value, loss.Parameters[0].Value); // same seed: only the optimiser moved it
        Assert.True(losses[^1] < losses[0], $"loss did not fall: {string.Join(", ", losses)}");
    }

    [Fact]
    public void OneClassDataIsRejectedForSoftmax()
    {
        var rows = NliRows(); foreach (var r in rows) r.Label = 0;
        var e = Assert.Throws<DatasetFormatException>(() => new SentenceEncoderTrainer(BertTrainingTests.TinyBert(), new SoftmaxLoss(),
            new TrainerOptions { MaxSteps = 1, BatchSize = 4 }).Fit(rows));
        Assert.Contains("at least 2 classes", e.Message);
    }

    [Fact]
    public void LabelledTextFilesTrainTheBatchTripletLossesAndClassPairsTrainSoftmax()
    {
        var dir = Directory.CreateTempSubdirectory("label-losses").FullName;
        try
        {
            var texts = Path.Combine(dir, "texts.jsonl");
            File.WriteAllLines(texts, new[] { "a red apple", "a green apple", "a fast car", "a slow car", "a big apple", "an old car" }
                .Select((t, i) => $"{{\"text\": \"{t}\", \"label\": {(t.EndsWith("apple") ? 0 : 1)}}}"));
            var rows = TrainingDataReader.Read(texts).ToList();
            Assert.Equal([0, 0, 1, 1, 0, 1], rows.Select(r => r.Label!.Value));
            var losses = new List<float>();
            new SentenceEncoderTrainer(BertTrainingTests.TinyBert(), LossFactory.Create("batch-hard-triplet", new LossOptions { Margin = 1 }),
                new TrainerOptions { MaxSteps = 2, BatchSize = 6, Shuffle = false, Dropout = 0, Progress = new SyncProgress(p => losses.Add(p.Loss)) }).Fit(texts);
            Assert.Equal(2, losses.Count);
            Assert.All(losses, l => Assert.True(l > 0 && float.IsFinite(l)));

            var nli = Path.Combine(dir, "nli.jsonl");
            File.WriteAllLines(nli, ["{\"anchor\": \"a\", \"positive\": \"b\", \"label\": 2}", "{\"anchor\": \"c\", \"positive\": \"d\", \"label\": 0}"]);
            Assert.Equal([2, 0], TrainingDataReader.Read(nli).Select(r => r.Label!.Value));
            // a class label is not a 0/1 pair label: the contrastive losses name the line
            var e = Assert.Throws<DatasetFormatException>(() => new SentenceEncoderTrainer(BertTrainingTests.TinyBert(), new ContrastiveLoss(),
                new TrainerOptions { MaxSteps = 1, BatchSize = 2 }).Fit(nli));
            Assert.Equal(1, e.Line); Assert.Equal("label", e.Field);

            var bad = Path.Combine(dir, "bad.jsonl");
            File.WriteAllLines(bad, ["{\"text\": \"x\", \"label\": 0}", "{\"text\": \"y\", \"label\": -1}", "{\"text\": \"z\"}"]);
            var r2 = Assert.Throws<DatasetFormatException>(() => TrainingDataReader.Read(bad).ToList());
            Assert.Equal(2, r2.Line); Assert.Equal("label", r2.Field);
        }
        finally { Directory.Delete(dir, true); }
    }
}
