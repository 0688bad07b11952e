using System.Text.Json;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.TestSupport;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Reranking;
using MLNet.Embeddings.Training.Tests.Training;

namespace MLNet.Embeddings.Training.Tests.Reranking;

/// <summary>The cross-encoder trainer: AdamW parity with PyTorch, resume, best model, data errors.</summary>
public class CrossEncoderTrainerTests
{
    static string Fixture => TestPaths.Fixture("reranker", "listwise");

    static CrossEncoderTrainerOptions ParityOptions(List<float> losses, string? output = null) => new()
    {
        Loss = RerankerLoss.Listwise,
        ChunkSize = 6, // 16 pairs per step run in three chunks of whole groups: gradients must add up to the full batch's
        Trainer = new TrainerOptions
        {
            MaxSteps = 3, BatchSize = 4, LearningRate = 1e-3f, WeightDecay = 0.01f, Shuffle = false, Dropout = 0, WarmupRatio = 0,
            Schedule = LearningRateSchedule.Constant, MaxGradNorm = 1.0, OutputDirectory = output,
            Progress = new SyncProgress(p => losses.Add(p.Loss)),
        },
    };

    [Fact]
    public void ThreeListwiseStepsMatchPyTorchAdamW()
    {
        using var steps = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixture, "steps.json")));
        var model = CrossEncoder.Load(Fixture);
        var parameters = model.Backbone.Parameters.Concat(model.Head.Parameters).ToList();
        var before = parameters.ToDictionary(p => p.Name, p => p.Value.ToArray());
        var losses = new List<float>();
        new CrossEncoderTrainer(model, ParityOptions(losses)).Fit(Path.Combine(Fixture, "train.jsonl"));

        var expected = steps.RootElement.GetProperty("losses").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(expected.Length, losses.Count);
        for (int i = 0; i < losses.Count; i++) Assert.True(Math.Abs(losses[i] - expected[i]) < 1e-4, $"step {i + 1}: loss {losses[i]} vs torch {expected[i]}");
        float maxMove = AdamParity.AssertMatches(Fixture, parameters, 1e-3f, 3, before);
        Assert.True(maxMove > 1e-3f, $"the reference barely moved ({maxMove})");
    }

    [Fact]
    public void ResumingFromACheckpointEndsWhereAnUninterruptedRunEnds()
    {
        string straight = TestPaths.TempDir(), resumed = TestPaths.TempDir();
        try
        {
            var a = CrossEncoder.Load(Fixture);
            new CrossEncoderTrainer(a, ParityOptions(new(), straight)).Fit(Path.Combine(Fixture, "train.jsonl"));

            // Stop after step 2 (a checkpoint at step 2), then resume in a fresh process-like setup.
            var first = ParityOptions(new(), resumed);
            first.Trainer.CheckpointSteps = 2;
            var cts = new CancellationTokenSource();
            first.Trainer.Progress = new SyncProgress(p => { if (p.Step == 2) cts.Cancel(); });
            Assert.ThrowsAny<OperationCanceledException>(() => new CrossEncoderTrainer(CrossEncoder.Load(Fixture), first).Fit(Path.Combine(Fixture, "train.jsonl"), cts.Token));
            Assert.True(Directory.Exists(Path.Combine(resumed, "checkpoint-2")));
            var second = ParityOptions(new(), resumed);
            second.Trainer.CheckpointSteps = 2; second.Trainer.Resume = true;
            var b = CrossEncoder.Load(Fixture);
            var summary = new CrossEncoderTrainer(b, second).Fit(Path.Combine(Fixture, "train.jsonl"));
            Assert.Equal(2, summary.StartStep);
            Assert.Equal(3, summary.Step);
            var pa = a.Backbone.Parameters.Concat(a.Head.Parameters).ToList();
            var pb = b.Backbone.Parameters.Concat(b.Head.Parameters).ToList();
            for (int i = 0; i < pa.Count; i++) Assert.Equal(pa[i].Value, pb[i].Value);

            // The saved folder is a cross-encoder with a model card.
            var reloaded = CrossEncoder.Load(resumed);
            Assert.Equal(a.Predict(new[] { ("a b", "c d") }), reloaded.Predict(new[] { ("a b", "c d") }));
            Assert.True(File.Exists(Path.Combine(resumed, "README.md")));
            Assert.Contains("CrossEncoderListwiseLoss", File.ReadAllText(Path.Combine(resumed, "model_card.json")));
        }
        finally { Directory.Delete(straight, true); Directory.Delete(resumed, true); }
    }

    [Fact]
    public void TrainingFromAnEmbeddingModelLearnsToRankHeldOutCandidates()
    {
        // A new head on the tiny random BERT. Texts have four words each; positives hold one of a set of "marker" words,
        // negatives none (a cue of the document alone: the tiny random model does not learn query-document matching in
        // a few seconds, but this proves the loss, the backward pass through head and backbone and the optimiser learn).
        string folder = Path.Combine(TestPaths.RepoRoot(), "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
        var model = CrossEncoder.FromEncoder(folder, seed: 1);
        var words = Enumerable.Range(5, 400).Select(i => model.Tokenizer.IdToToken(i)!).Where(w => w.All(char.IsAsciiLetterLower) && w.Length > 2).Take(100).ToList();
        var markers = words.Take(20).ToList(); var fillers = words.Skip(20).ToList();
        var rng = new Random(3);
        string Fill(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => fillers[rng.Next(fillers.Count)]));
        List<TrainingExample> Rows(int from, int count) => Enumerable.Range(from, count).Select(i => new TrainingExample
        {
            Query = Fill(2), Pos = [Fill(3) + " " + markers[i % markers.Count]], Neg = [Fill(4), Fill(4), Fill(4)], Line = i + 1,
        }).ToList();
        var train = Rows(0, 40); var heldOut = Rows(40, 20);
        var evaluator = new RerankingEvaluator(heldOut);
        double before = evaluator.Evaluate(model)["ndcg@10"];
        var summary = new CrossEncoderTrainer(model, new CrossEncoderTrainerOptions
        {
            Loss = RerankerLoss.Listwise, Evaluator = evaluator,
            Trainer = new TrainerOptions { Epochs = 12, BatchSize = 8, LearningRate = 3e-3f, EvalSteps = 10, Seed = 5 },
        }).Fit(train);
        double after = evaluator.Evaluate(model)["ndcg@10"];
        Assert.True(after > before + 0.15, $"ndcg@10 {before:F3} → {after:F3}");
        Assert.Equal(summary.BestMetric!.Value, after, 6); // best model restored at the end
    }

    [Fact]
    public void MissingTeacherScoresAndNegativesNameTheLine()
    {
        var model = CrossEncoder.Load(Fixture);
        var rows = new List<TrainingExample> { new() { Query = "q", Pos = ["p"], Neg = ["n"], Line = 7 } };
        var ex = Assert.Throws<DatasetFormatException>(() => new CrossEncoderTrainer(model, new CrossEncoderTrainerOptions { Loss = RerankerLoss.MarginMse }).Fit(rows, "train.jsonl"));
        Assert.Contains("train.jsonl:7", ex.Message);
        Assert.Contains("pos_scores", ex.Message);
        var noNegatives = new List<TrainingExample> { new() { Query = "q2", Pos = ["p"], Line = 9 } };
        ex = Assert.Throws<DatasetFormatException>(() => new CrossEncoderTrainer(model).Fit(noNegatives, "train.jsonl"));
        Assert.Contains("train.jsonl", ex.Message);
        Assert.Contains("'neg'", ex.Message);
        var bad = new List<TrainingExample> { new() { Query = "q", Pos = ["p"], Score = 3.5f, Line = 2 } };
        ex = Assert.Throws<DatasetFormatException>(() => new CrossEncoderTrainer(model, new CrossEncoderTrainerOptions { Loss = RerankerLoss.Bce }).Fit(bad, "pairs.jsonl"));
        Assert.Contains("pairs.jsonl:2", ex.Message);
    }

    [Fact]
    public void BceAndMarginMseTrainAndLowerTheirLoss()
    {
        foreach (var loss in new[] { RerankerLoss.Bce, RerankerLoss.MarginMse })
        {
            var model = CrossEncoder.Load(Fixture);
            var rows = TrainingDataReader.Read(Path.Combine(Fixture, "train.jsonl")).ToList();
            foreach (var r in rows) { r.PosScores = [4f]; r.NegScores = r.Neg.Select((_, i) => -1f - i).ToList(); }
            var losses = new List<float>();
            new CrossEncoderTrainer(model, new CrossEncoderTrainerOptions
            {
                Loss = loss,
                Trainer = new TrainerOptions { MaxSteps = 15, BatchSize = 4, LearningRate = 2e-3f, Shuffle = false, Dropout = 0, Progress = new SyncProgress(p => losses.Add(p.Loss)) },
            }).Fit(rows);
            Assert.True(losses[^1] < losses[0] * 0.6, $"{loss}: {losses[0]} → {losses[^1]}");
        }
    }
}
