using System.Text.Json;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tokenization;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.TorchSharp.Tests;

/// <summary>TorchSharp training against torch autograd and torch.optim.AdamW (the managed engine's fixtures).</summary>
public class TrainingParityTests
{
    internal static SentenceEncoder TinyBert() => new(TokenizerLoader.Load(Fixtures.Folder("bert", "tiny-gelu")), Fixtures.Bert("tiny-gelu"),
        new SentenceEncoderConfig { MaxSeqLength = 64, Pooling = Pooling.PoolingMode.Mean });

    internal static TrainerOptions Options(float lr) => new()
    {
        MaxSteps = 3, BatchSize = 4, LearningRate = lr, Shuffle = false, Dropout = 0, WeightDecay = 0, WarmupRatio = 0,
        Backend = TrainingBackend.TorchSharp, EngineFactory = new TorchSharpEngineFactory(),
    };

    [Fact]
    public void GradientsMatchTorchAutograd()
    {
        var model = new SentenceEncoder(TokenizerLoader.Load(Fixtures.Folder("bert", "tiny-gelu")), Fixtures.Bert("tiny-gelu"), new SentenceEncoderConfig());
        var bert = (BertBackbone)model.Backbone;
        bert.HiddenDropout = 0; bert.AttentionDropout = 0;
        var expected = Fixtures.Expected("tiny-gelu");
        using var engine = new TorchTrainingEngine(model, new TrainerOptions { Backend = TrainingBackend.TorchSharp });
        var act = engine.Forward(Fixtures.Batch("tiny-gelu"), 1, keepGraph: true);
        Assert.True(Fixtures.MaxAbsDiff(act.Output, expected["last_hidden_state"].Value) < 1e-4);
        engine.Backward(act, expected["R"].Value); // loss = sum(R · last_hidden_state)
        engine.Release(act);
        int checkedCount = 0;
        for (int i = 0; i < bert.Parameters.Count; i++)
        {
            if (!expected.TryGetValue("grad." + bert.Parameters[i].Name, out var reference)) continue;
            var grad = engine.Gradient(i) ?? throw new Xunit.Sdk.XunitException($"{bert.Parameters[i].Name}: no gradient");
            double err = RelativeError(grad, reference.Value);
            Assert.True(err < 1e-3, $"{bert.Parameters[i].Name}: relative error {err:g3}");
            checkedCount++;
        }
        Assert.Equal(expected.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal)), checkedCount);
    }

    /// <summary>‖a − b‖/‖b‖; an absolute bound where the reference is (mathematically) zero, as the managed parity test does.</summary>
    static double RelativeError(float[] a, float[] b)
    {
        double num = 0, den = 0;
        for (int i = 0; i < a.Length; i++) { double d = (double)a[i] - b[i]; num += d * d; den += (double)b[i] * b[i]; }
        return Math.Sqrt(den) < 1e-9 ? Math.Sqrt(num) * 10 : Math.Sqrt(num / den);
    }

    [Fact]
    public void ThreeMnrlStepsMatchPyTorchAdamW()
    {
        string fixture = Fixtures.Folder("bert-mnrl");
        using var steps = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture, "steps.json")));
        var model = TinyBert();
        var before = ((BertBackbone)model.Backbone).Parameters.ToDictionary(p => p.Name, p => p.Value.ToArray());
        var losses = new List<float>();
        var options = Options((float)steps.RootElement.GetProperty("lr").GetDouble());
        options.Progress = new SyncProgress(p => losses.Add(p.Loss));
        new SentenceEncoderTrainer(model, new MultipleNegativesRankingLoss(), options).Fit(TrainingDataReader.Read(Path.Combine(fixture, "train.jsonl")));

        var expectedLosses = steps.RootElement.GetProperty("losses").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(expectedLosses.Length, losses.Count);
        for (int i = 0; i < losses.Count; i++) Assert.True(Math.Abs(losses[i] - expectedLosses[i]) < 1e-4, $"step {i + 1}: loss {losses[i]} vs torch {expectedLosses[i]}");
        var expected = SafeTensors.Read(Path.Combine(fixture, "expected.safetensors"));
        float maxMove = 0;
        foreach (var p in ((BertBackbone)model.Backbone).Parameters)
        {
            var e = expected[p.Name].Value;
            // The key bias has a mathematically zero gradient; Adam turns float noise into a step of up to lr. Only bound it.
            bool zeroGradient = p.Name.EndsWith("attention.self.key.bias", StringComparison.Ordinal);
            for (int i = 0; i < e.Length; i++)
            {
                if (zeroGradient) { Assert.True(MathF.Abs(p.Value[i] - e[i]) <= 3 * options.LearningRate); continue; }
                Assert.True(MathF.Abs(p.Value[i] - e[i]) <= 1e-4f, $"{p.Name}[{i}]: {p.Value[i]} vs torch {e[i]} (was {before[p.Name][i]})");
                maxMove = MathF.Max(maxMove, MathF.Abs(e[i] - before[p.Name][i]));
            }
        }
        Assert.True(maxMove > 1e-3f, $"the reference barely moved ({maxMove}); the comparison would prove nothing");
    }

    [Fact]
    public void GradCacheGivesTheSameStepsAsTheFullBatch()
    {
        string train = Path.Combine(Fixtures.Folder("bert-mnrl"), "train.jsonl");
        var full = TinyBert();
        new SentenceEncoderTrainer(full, new MultipleNegativesRankingLoss(), Options(1e-3f)).Fit(TrainingDataReader.Read(train));
        var cached = TinyBert();
        new SentenceEncoderTrainer(cached, new CachedMultipleNegativesRankingLoss(miniBatchSize: 1), Options(1e-3f)).Fit(TrainingDataReader.Read(train));
        var a = ((BertBackbone)full.Backbone).Parameters; var b = ((BertBackbone)cached.Backbone).Parameters;
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i].Name.EndsWith("attention.self.key.bias", StringComparison.Ordinal)) continue;
            Assert.True(Fixtures.MaxAbsDiff(a[i].Value, b[i].Value) < 1e-4, $"{a[i].Name}: {Fixtures.MaxAbsDiff(a[i].Value, b[i].Value):g3}");
        }
    }

    [Fact]
    public void DropoutReplaysFromTheSeed()
    {
        var model = TinyBert();
        ((BertBackbone)model.Backbone).HiddenDropout = 0.1f;
        using var engine = new TorchTrainingEngine(model, new TrainerOptions { Backend = TrainingBackend.TorchSharp });
        var batch = Fixtures.Batch("tiny-gelu");
        var a = engine.Forward(batch, 7, keepGraph: false).Output;
        var b = engine.Forward(batch, 7, keepGraph: true);
        var c = engine.Forward(batch, 8, keepGraph: false).Output;
        engine.Release(b);
        Assert.Equal(a, b.Output);
        Assert.True(Fixtures.MaxAbsDiff(a, c) > 1e-3, "another seed must give another dropout mask");
    }
}

internal sealed class SyncProgress(Action<TrainingProgress> action) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => action(value);
}
