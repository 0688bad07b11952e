using System.Text.Json;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Evaluation;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.Training.Tests.Training;

/// <summary>Synthetic retrieval: query word qK means doc word dK; a model must learn the pairing.</summary>
internal static class Synthetic
{
    public static List<TrainingExample> Pairs(int count, int topics, int seed, int negatives = 0)
    {
        var rng = new Random(seed);
        var rows = new List<TrainingExample>();
        for (int i = 0; i < count; i++)
        {
            int a = rng.Next(topics), b = rng.Next(topics);
            var row = new TrainingExample { Query = $"q{a} q{b}", Pos = { $"d{a} d{b}" }, Line = i + 1 };
            for (int k = 0; k < negatives; k++) row.Neg.Add($"d{rng.Next(topics)} d{rng.Next(topics)}");
            rows.Add(row);
        }
        return rows;
    }

    public static SentenceEncoder Model(int seed = 5, int vocab = 256, int hidden = 8, bool sparse = false) =>
        new(new FakeTokenizer(vocab), new FakeBackbone(vocab, hidden, seed, sparse), new SentenceEncoderConfig { MaxSeqLength = 16 });
}

/// <summary>Recall@1 of held-out queries against their documents, embedding through the fake backbone.</summary>
internal sealed class RecallEvaluator(IReadOnlyList<TrainingExample> rows) : IEvaluator
{
    public string Name => "recall";
    public string PrimaryMetric => "recall@1";
    public int Calls { get; private set; }

    public static float[][] Embed(SentenceEncoder m, IEnumerable<string> texts)
    {
        var pool = new MeanPooling();
        return texts.Select(t =>
        {
            var tb = Backbones.TokenBatch.From(new[] { m.Tokenizer.Encode(t) });
            var v = pool.Forward(tb, m.Backbone.Forward(tb)).Data;
            float n = MathF.Sqrt(v.Sum(x => x * x));
            return v.Select(x => x / n).ToArray();
        }).ToArray();
    }

    public IReadOnlyDictionary<string, double> Evaluate(SentenceEncoder model, CancellationToken cancellationToken = default)
    {
        Calls++;
        var q = Embed(model, rows.Select(r => r.Query)); var d = Embed(model, rows.Select(r => r.Pos[0]));
        int hits = 0;
        for (int i = 0; i < q.Length; i++)
        {
            int best = 0; float bestS = float.NegativeInfinity;
            for (int j = 0; j < d.Length; j++)
            {
                float s = 0; for (int k = 0; k < q[i].Length; k++) s += q[i][k] * d[j][k];
                if (s > bestS) { bestS = s; best = j; }
            }
            if (rows[best].Pos[0] == rows[i].Pos[0]) hits++;
        }
        return new Dictionary<string, double> { ["recall@1"] = (double)hits / q.Length };
    }
}

public class TrainerTests
{
    static FakeBackbone Backbone(SentenceEncoder m) => (FakeBackbone)m.Backbone;

    static TrainerOptions Options(string? dir = null) => new()
    {
        Pooling = new MeanPooling(), OutputDirectory = dir, SaveModel = false, BatchSize = 8, LearningRate = 0.05f,
        WarmupRatio = 0.1, LoggingSteps = 1,
    };

    [Fact]
    public void CachedMnrlGivesTheSameGradientsAsUncached()
    {
        var rows = Synthetic.Pairs(10, 20, 1, negatives: 1);
        var batch = Enumerable.Range(0, 10).ToArray();
        float[][] Grads(ILoss loss, out float lossValue, out int calls)
        {
            var m = Synthetic.Model();
            var t = new SentenceEncoderTrainer(m, loss, Options());
            var plan = ColumnPlan.Create(loss, rows, t.Options, "test");
            lossValue = t.RunBatch(plan, rows, batch, 123, 1f, 16);
            calls = Backbone(m).ForwardTrainCalls;
            return Backbone(m).Parameters.Select(p => p.Grad.ToArray()).ToArray();
        }
        var full = Grads(new MultipleNegativesRankingLoss(), out float l1, out int c1);
        var cached = Grads(new CachedMultipleNegativesRankingLoss(miniBatchSize: 3), out float l2, out int c2);
        Assert.Equal(l1, l2, 5);
        Assert.Equal(3, c1);            // one forward per column
        Assert.Equal(3 * 4 * 2, c2);    // 4 chunks per column, each run twice
        for (int p = 0; p < full.Length; p++)
        {
            float scale = full[p].Max(MathF.Abs);
            Assert.True(scale > 0);
            for (int i = 0; i < full[p].Length; i++) Assert.True(MathF.Abs(full[p][i] - cached[p][i]) <= 1e-5f * Math.Max(1, scale), $"param {p}[{i}]: {full[p][i]} vs {cached[p][i]}");
        }
    }

    [Fact]
    public void WholeChainGradientMatchesFiniteDifferences()
    {
        var rows = Synthetic.Pairs(6, 10, 2);
        var batch = Enumerable.Range(0, 6).ToArray();
        var m = Synthetic.Model(hidden: 4);
        var loss = new MultipleNegativesRankingLoss { Scale = 5 };
        var t = new SentenceEncoderTrainer(m, loss, Options());
        var plan = ColumnPlan.Create(loss, rows, t.Options, "test");
        t.RunBatch(plan, rows, batch, 1, 1f, 16);
        var bb = Backbone(m);
        var analytic = bb.Parameters.Select(p => p.Grad.ToArray()).ToArray();
        var rng = new Random(4);
        for (int trial = 0; trial < 12; trial++)
        {
            int p = trial % 3; var prm = bb.Parameters[p];
            int i = p == 0 ? Array.FindIndex(analytic[0], g => g != 0) + trial : rng.Next(prm.Value.Length);
            float keep = prm.Value[i]; const float h = 1e-2f;
            prm.Value[i] = keep + h; double up = t.RunBatch(plan, rows, batch, 1, 1f, 16);
            prm.Value[i] = keep - h; double down = t.RunBatch(plan, rows, batch, 1, 1f, 16);
            prm.Value[i] = keep;
            double numeric = (up - down) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[p][i]) <= 2e-3 + 0.05 * Math.Abs(numeric), $"{prm.Name}[{i}]: analytic {analytic[p][i]} vs numeric {numeric}");
        }
    }

    [Fact]
    public void KillAndResumeGivesIdenticalWeights()
    {
        var rows = Synthetic.Pairs(48, 20, 3);
        string dirA = TestPaths.TempDir(), dirB = TestPaths.TempDir();
        TrainerOptions O(string dir) { var o = Options(dir); o.MaxSteps = 6; o.CheckpointSteps = 3; return o; }

        var a = Synthetic.Model();
        new SentenceEncoderTrainer(a, new MultipleNegativesRankingLoss(), O(dirA)).Fit(rows);

        var b1 = Synthetic.Model();
        using var cts = new CancellationTokenSource();
        var killed = O(dirB); killed.Progress = new SyncProgress(p => { if (p.Step == 3) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => new SentenceEncoderTrainer(b1, new MultipleNegativesRankingLoss(), killed).Fit(rows, cts.Token));
        Assert.True(Directory.Exists(Path.Combine(dirB, "checkpoint-3")));

        var b2 = Synthetic.Model(seed: 99); // different initial weights: everything must come from the checkpoint
        var resumed = O(dirB); resumed.Resume = true;
        new SentenceEncoderTrainer(b2, new MultipleNegativesRankingLoss(), resumed).Fit(rows);

        var pa = Backbone(a).Parameters; var pb = Backbone(b2).Parameters;
        for (int i = 0; i < pa.Count; i++) Assert.Equal(pa[i].Value, pb[i].Value);
        Assert.NotEqual(Backbone(Synthetic.Model()).Weight.Value, Backbone(a).Weight.Value);
        // the log of the resumed run is the same sequence of steps
        int[] Steps(string d) => File.ReadAllLines(Path.Combine(d, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt32()).ToArray();
        Assert.Equal(Steps(dirA), Steps(dirB));
        var lossA = File.ReadAllLines(Path.Combine(dirA, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble());
        var lossB = File.ReadAllLines(Path.Combine(dirB, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble());
        Assert.Equal(lossA, lossB);
    }

    [Fact]
    public void CheckpointsKeepTheLastTwoAndTheLogHasTheExpectedFields()
    {
        var rows = Synthetic.Pairs(40, 20, 4);
        string dir = TestPaths.TempDir();
        var o = Options(dir); o.CheckpointSteps = 1; o.Epochs = 1; o.LoggingSteps = 2;
        o.Evaluator = new RecallEvaluator(rows.Take(10).ToList()); o.EvalSteps = 2;
        new SentenceEncoderTrainer(Synthetic.Model(), new MultipleNegativesRankingLoss(), o).Fit(rows);
        Assert.Equal(new[] { "checkpoint-4", "checkpoint-5" }, Directory.GetDirectories(dir).Select(Path.GetFileName).Order().ToArray());
        Assert.Empty(Directory.GetDirectories(dir, ".tmp*"));
        var lines = File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var train = lines.Where(l => l.TryGetProperty("loss", out _)).ToList();
        Assert.Equal(new[] { 2, 4, 5 }, train.Select(l => l.GetProperty("step").GetInt32()));
        foreach (var l in train)
        {
            Assert.True(l.GetProperty("loss").GetDouble() > 0);
            Assert.True(l.GetProperty("learning_rate").GetDouble() >= 0);
            Assert.True(l.GetProperty("examples_per_second").GetDouble() >= 0);
        }
        Assert.Equal(1.0, train[^1].GetProperty("epoch").GetDouble(), 6);
        var evals = lines.Where(l => l.TryGetProperty("eval", out _)).ToList();
        Assert.Equal(new[] { 2, 4, 5 }, evals.Select(l => l.GetProperty("step").GetInt32()));
        Assert.InRange(evals[0].GetProperty("eval").GetProperty("recall@1").GetDouble(), 0, 1);
    }

    sealed class FallingEvaluator : IEvaluator
    {
        public string Name => "falling";
        public string PrimaryMetric => "score";
        public int Calls;
        public float[]? FirstWeights;
        public IReadOnlyDictionary<string, double> Evaluate(SentenceEncoder model, CancellationToken cancellationToken = default)
        {
            Calls++;
            FirstWeights ??= ((FakeBackbone)model.Backbone).Weight.Value.ToArray();
            return new Dictionary<string, double> { ["score"] = -Calls };
        }
    }

    [Fact]
    public void EarlyStoppingStopsAfterPatienceAndRestoresTheBestWeights()
    {
        var rows = Synthetic.Pairs(80, 20, 5);
        var ev = new FallingEvaluator();
        var o = Options(); o.Evaluator = ev; o.EvalSteps = 1; o.EarlyStoppingPatience = 2;
        int steps = 0; o.Progress = new SyncProgress(p => steps = p.Step);
        var m = Synthetic.Model();
        new SentenceEncoderTrainer(m, new MultipleNegativesRankingLoss(), o).Fit(rows);
        Assert.Equal(3, steps);        // best at step 1, no improvement at 2 and 3 → stop
        Assert.Equal(3, ev.Calls);
        Assert.Equal(ev.FirstWeights, Backbone(m).Weight.Value);
    }

    sealed class NaNAtStep(int step) : ILoss
    {
        int _calls;
        readonly MultipleNegativesRankingLoss _inner = new();
        public string Name => "nan";
        public LossColumns Columns => _inner.Columns;
        public LossResult Compute(LossInput input)
        {
            var r = _inner.Compute(input);
            return ++_calls == step ? new LossResult { Loss = float.NaN, Gradients = r.Gradients } : r;
        }
    }

    [Fact]
    public void NaNLossStopsWithAClearMessageAndKeepsTheLastCheckpoint()
    {
        var rows = Synthetic.Pairs(64, 20, 6);
        string dir = TestPaths.TempDir();
        var o = Options(dir); o.CheckpointSteps = 2;
        var m = Synthetic.Model();
        var ex = Assert.Throws<TrainingDivergedException>(() => new SentenceEncoderTrainer(m, new NaNAtStep(5), o).Fit(rows));
        Assert.Equal(5, ex.Step);
        Assert.Contains("NaN", ex.Message);
        Assert.Equal(Path.Combine(dir, "checkpoint-4"), ex.LastCheckpoint);
        Assert.True(File.Exists(Path.Combine(dir, "checkpoint-4", "model.bin")));
    }

    [Fact]
    public void RowsLackingALossColumnAreRejectedWithTheirLine()
    {
        var rows = Synthetic.Pairs(5, 10, 7);
        rows[3].Pos.Clear();
        var ex = Assert.Throws<DatasetFormatException>(() => new SentenceEncoderTrainer(Synthetic.Model(), new MultipleNegativesRankingLoss(), Options()).Fit(rows));
        Assert.Equal(4, ex.Line);
        Assert.Equal("pos", ex.Field);
        var triplets = Synthetic.Pairs(5, 10, 7); // no row has a negative: nothing to fill from
        var ex2 = Assert.Throws<DatasetFormatException>(() => new SentenceEncoderTrainer(Synthetic.Model(), new TripletLoss(), Options()).Fit(triplets));
        Assert.Equal((1, "neg"), (ex2.Line, ex2.Field));
        var scored = Synthetic.Pairs(3, 10, 7);
        Assert.Equal("score", Assert.Throws<DatasetFormatException>(() => new SentenceEncoderTrainer(Synthetic.Model(), new CoSentLoss(), Options()).Fit(scored)).Field);
    }

    [Fact]
    public void UnevenHardNegativeCountsTrainWithTheCountMostRowsHave()
    {
        var rows = Synthetic.Pairs(6, 10, 7, negatives: 2);
        rows[4].Neg.RemoveAt(1);
        var log = new List<string>();
        var o = Options(); o.Log = log.Add;
        new SentenceEncoderTrainer(Synthetic.Model(), new MultipleNegativesRankingLoss(), o).Fit(rows);
        Assert.Single(rows[4].Neg); // the caller's rows are not changed
        var line = Assert.Single(log);
        Assert.Contains("2 per row (most rows have 2: 5 of 6", line);
        Assert.Contains("1 row(s) filled: 1 by sampling their own negatives", line);
    }

    [Fact]
    public void BadOptionsAreRejectedBeforeAnyData()
    {
        foreach (var (set, name) in new (Action<TrainerOptions>, string)[]
                 {
                     (o => o.BatchSize = -3, "BatchSize"), (o => o.LearningRate = 0, "LearningRate"), (o => o.WarmupRatio = 1.5, "WarmupRatio"),
                     (o => o.Dropout = 1f, "Dropout"), (o => o.NegativesPerRow = -1, "NegativesPerRow"), (o => o.MaxSteps = 0, "MaxSteps"),
                 })
        {
            var o = new TrainerOptions();
            set(o);
            Assert.Equal(name, Assert.Throws<ConfigurationException>(o.Validate).Setting);
        }
        new TrainerOptions().Validate(); // the defaults are valid
    }

    [Fact]
    public void FineTuningRaisesHeldOutRecall()
    {
        var train = Synthetic.Pairs(600, 30, 8);
        var heldOut = Synthetic.Pairs(80, 30, 9).Where(r => !train.Any(t => t.Query == r.Query)).GroupBy(r => r.Pos[0]).Select(g => g.First()).ToList();
        Assert.True(heldOut.Count >= 10, $"{heldOut.Count} held-out queries");
        var ev = new RecallEvaluator(heldOut);
        var m = Synthetic.Model(hidden: 16);
        double before = ev.Evaluate(m)["recall@1"];
        var o = Options(); o.Epochs = 3; o.BatchSize = 16; o.LearningRate = 0.02f; o.NoDuplicates = true;
        new SentenceEncoderTrainer(m, new MultipleNegativesRankingLoss(), o).Fit(train);
        double after = ev.Evaluate(m)["recall@1"];
        Assert.True(after >= 0.8 && after > before + 0.3, $"recall@1 {before} → {after}");
    }

    [Fact]
    public void SimCseEncodesEachSentenceTwiceWithDifferentDropout()
    {
        var rows = Synthetic.Pairs(16, 20, 10).Select(r => new TrainingExample { Query = r.Query }).ToList();
        var m = Synthetic.Model();
        var o = Options(); o.Dropout = 0.3f; o.MaxSteps = 1; o.BatchSize = 16;
        float first = float.NaN; o.Progress = new SyncProgress(p => first = p.Loss);
        new SentenceEncoderTrainer(m, new SimCseLoss(), o).Fit(rows);
        Assert.Equal(2, Backbone(m).ForwardTrainCalls);
        // with identical views the positive would be the anchor itself: loss near its minimum; dropout makes it larger
        var m0 = Synthetic.Model(); var o0 = Options(); o0.MaxSteps = 1; o0.BatchSize = 16;
        float noDropout = float.NaN; o0.Progress = new SyncProgress(p => noDropout = p.Loss);
        new SentenceEncoderTrainer(m0, new MultipleNegativesRankingLoss(), o0).Fit(rows.Select(r => new TrainingExample { Query = r.Query, Pos = { r.Query } }).ToList());
        Assert.True(first > noDropout, $"{first} vs {noDropout}");
    }
}

public class StaticTrainingTests
{
    [Fact]
    public void StaticWordVectorsTrainLazilyAndLearnTheTask()
    {
        const int vocab = 256, dim = 8;
        var rng = new Random(2);
        var table = Enumerable.Range(0, vocab * dim).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var backbone = new Backbones.Static.StaticEmbeddingBackbone(table, dim);
        var model = new SentenceEncoder(new FakeTokenizer(vocab), backbone, new SentenceEncoderConfig { MaxSeqLength = 16 });
        var train = Synthetic.Pairs(400, 20, 11);
        var used = new HashSet<int>(train.SelectMany(r => new[] { r.Query, r.Pos[0] }).SelectMany(t => model.Tokenizer.Encode(t).Ids));
        var before = backbone.Embedding.Value.ToArray();
        var ev = new RecallEvaluator(Synthetic.Pairs(60, 20, 12).GroupBy(r => r.Pos[0]).Select(g => g.First()).ToList());
        double r0 = ev.Evaluate(model)["recall@1"];
        var o = new TrainerOptions { Pooling = new MeanPooling(), Epochs = 3, BatchSize = 16, LearningRate = 0.05f, SaveModel = false };
        new SentenceEncoderTrainer(model, new MultipleNegativesRankingLoss(), o).Fit(train);
        double r1 = ev.Evaluate(model)["recall@1"];
        Assert.True(r1 > r0 + 0.3, $"recall@1 {r0} → {r1}");
        // lazy updates (the default for static models): rows no text uses keep their values, despite weight decay
        for (int row = 0; row < vocab; row++)
            if (!used.Contains(row))
                Assert.Equal(before.AsSpan(row * dim, dim).ToArray(), backbone.Embedding.Value.AsSpan(row * dim, dim).ToArray());
        Assert.Contains(used, row => backbone.Embedding.Value[row * dim] != before[row * dim]);
    }

    [Fact]
    public void TheStaticLearningRateIsUsedWithoutWritingIntoTheOptions()
    {
        const int vocab = 256, dim = 4;
        var rng = new Random(5);
        var table = Enumerable.Range(0, vocab * dim).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var model = new SentenceEncoder(new FakeTokenizer(vocab), new Backbones.Static.StaticEmbeddingBackbone(table, dim), new SentenceEncoderConfig { MaxSeqLength = 16 });
        var rates = new List<float>();
        var o = new TrainerOptions
        {
            Pooling = new MeanPooling(), MaxSteps = 2, BatchSize = 8, WarmupRatio = 0, SaveModel = false,
            Progress = new SyncProgress(p => rates.Add(p.LearningRate)),
        };
        var trainer = new SentenceEncoderTrainer(model, new MultipleNegativesRankingLoss(), o);
        Assert.False(o.LearningRateIsSet);
        Assert.Equal(TrainerOptions.DefaultLearningRate, o.LearningRate);
        trainer.Fit(Synthetic.Pairs(16, 20, 3));
        Assert.Equal(TrainerOptions.DefaultStaticLearningRate, rates[0]);
        Assert.False(o.LearningRateIsSet);
        Assert.Equal(TrainerOptions.DefaultLearningRate, o.LearningRate);

        // the same options object, set explicitly, wins
        o.LearningRate = 0.003f; rates.Clear();
        new SentenceEncoderTrainer(model, new MultipleNegativesRankingLoss(), o).Fit(Synthetic.Pairs(16, 20, 3));
        Assert.Equal(0.003f, rates[0]);
    }
}
