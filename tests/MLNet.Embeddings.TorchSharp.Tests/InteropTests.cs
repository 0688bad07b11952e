using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.TorchSharp.Tests;

/// <summary>A model tuned on TorchSharp is an ordinary model folder; checkpoints and resume work as on the managed engine.</summary>
public class InteropTests
{
    static readonly string[] Texts = ["left center play", "his your series air", "woman knew due world", "award international opened central"];

    [Fact]
    public void TunedModelLoadsInTheManagedBackendWithTheSameVectors()
    {
        string dir = Fixtures.TempDir();
        var model = TrainingParityTests.TinyBert();
        var before = model.Encode(Texts);
        var options = TrainingParityTests.Options(1e-3f);
        options.OutputDirectory = dir;
        new SentenceEncoderTrainer(model, new MultipleNegativesRankingLoss(), options)
            .Fit(TrainingDataReader.Read(Path.Combine(Fixtures.Folder("bert-mnrl"), "train.jsonl")));

        var managed = SentenceEncoder.Load(dir).Encode(Texts);
        var onTorch = TorchSharpBackend.Load(dir).Encode(Texts);
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.True(Fixtures.MaxAbsDiff(managed[i], onTorch[i]) < 1e-4, $"text {i}: {Fixtures.MaxAbsDiff(managed[i], onTorch[i]):g3}");
            Assert.True(Fixtures.MaxAbsDiff(managed[i], before[i]) > 1e-3, "training must have changed the vectors");
        }
    }

    [Fact]
    public void ResumeFromACheckpointContinuesExactly()
    {
        string train = Path.Combine(Fixtures.Folder("bert-mnrl"), "train.jsonl");
        var straight = TrainingParityTests.TinyBert();
        new SentenceEncoderTrainer(straight, new MultipleNegativesRankingLoss(), TrainingParityTests.Options(1e-3f)).Fit(TrainingDataReader.Read(train));

        string dir = Fixtures.TempDir();
        var first = TrainingParityTests.Options(1e-3f);
        first.OutputDirectory = dir; first.CheckpointSteps = 2; first.SaveModel = false;
        // Stop after step 2 by cancelling from the progress callback; the checkpoint of step 2 is written before it.
        using var cts = new CancellationTokenSource();
        first.Progress = new SyncProgress(p => { if (p.Step == 2) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new SentenceEncoderTrainer(TrainingParityTests.TinyBert(), new MultipleNegativesRankingLoss(), first).Fit(TrainingDataReader.Read(train), cts.Token));

        var resumed = TrainingParityTests.TinyBert();
        var second = TrainingParityTests.Options(1e-3f);
        second.OutputDirectory = dir; second.Resume = true; second.SaveModel = false;
        new SentenceEncoderTrainer(resumed, new MultipleNegativesRankingLoss(), second).Fit(TrainingDataReader.Read(train));

        var a = ((BertBackbone)straight.Backbone).Parameters; var b = ((BertBackbone)resumed.Backbone).Parameters;
        for (int i = 0; i < a.Count; i++)
            Assert.True(Fixtures.MaxAbsDiff(a[i].Value, b[i].Value) < 1e-6, $"{a[i].Name}: {Fixtures.MaxAbsDiff(a[i].Value, b[i].Value):g3}");
    }

    [Fact]
    public void TorchAndManagedEnginesTakeTheSameSteps()
    {
        string train = Path.Combine(Fixtures.Folder("bert-mnrl"), "train.jsonl");
        var torchModel = TrainingParityTests.TinyBert();
        var o = TrainingParityTests.Options(1e-3f);
        o.WeightDecay = 0.01f; o.GradientAccumulationSteps = 2; o.MaxSteps = 2; o.BatchSize = 2;
        new SentenceEncoderTrainer(torchModel, new MultipleNegativesRankingLoss(), o).Fit(TrainingDataReader.Read(train));
        var managedModel = TrainingParityTests.TinyBert();
        var m = TrainingParityTests.Options(1e-3f);
        m.WeightDecay = 0.01f; m.GradientAccumulationSteps = 2; m.MaxSteps = 2; m.BatchSize = 2;
        m.Backend = TrainingBackend.Managed; m.EngineFactory = null;
        new SentenceEncoderTrainer(managedModel, new MultipleNegativesRankingLoss(), m).Fit(TrainingDataReader.Read(train));
        var a = ((BertBackbone)torchModel.Backbone).Parameters; var b = ((BertBackbone)managedModel.Backbone).Parameters;
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i].Name.EndsWith("attention.self.key.bias", StringComparison.Ordinal)) continue;
            Assert.True(Fixtures.MaxAbsDiff(a[i].Value, b[i].Value) < 2e-4, $"{a[i].Name}: {Fixtures.MaxAbsDiff(a[i].Value, b[i].Value):g3}");
        }
    }

    [Fact]
    public void RegisteredBackendIsPickedByTheEnum()
    {
        TorchSharpBackend.Register();
        Assert.True(TrainingEngines.IsAvailable(TrainingBackend.TorchSharp));
        Assert.IsType<TorchSharpEngineFactory>(TrainingEngines.Resolve(new TrainerOptions { Backend = TrainingBackend.TorchSharp, Device = "cpu" }));
    }
}
