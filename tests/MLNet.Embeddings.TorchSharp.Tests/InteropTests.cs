using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.OnnxRuntime;
using MLNet.Embeddings.OnnxRuntime.Backbones;
using MLNet.Embeddings.OnnxRuntime.Export;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.TorchSharp.Tests;

/// <summary>A model tuned on TorchSharp is an ordinary model folder (managed, TorchSharp and ONNX Runtime give its vectors alike); checkpoints and resume work as on the managed engine.</summary>
public class InteropTests
{
    static readonly string[] Texts = ["left center play", "his your series air", "woman knew due world", "award international opened central"];

    [Fact]
    public void TunedModelGivesTheSameVectorsInTheManagedTorchAndOnnxBackends()
    {
        // A few MNRL steps on libtorch, saved as an ordinary model folder.
        string dir = Fixtures.TempDir();
        var model = TrainingParityTests.TinyBert();
        var before = model.Encode(Texts);
        var options = TrainingParityTests.Options(1e-3f);
        options.OutputDirectory = dir;
        new SentenceEncoderTrainer(model, new MultipleNegativesRankingLoss(), options)
            .Fit(TrainingDataReader.Read(Path.Combine(Fixtures.Folder("bert-mnrl"), "train.jsonl")));

        // The same folder in the three backends: managed kernels, libtorch's own inference, and our ONNX export on the
        // packaged ONNX Runtime (pooling and normalisation inside the graph, as the folder's modules say).
        var managed = SentenceEncoder.Load(dir).Encode(Texts);
        var onTorch = TorchSharpBackend.Load(dir).Encode(Texts);
        var export = OnnxExporter.Export(dir, Path.Combine(dir, "onnx", "model.onnx"));
        Assert.Contains("sentence_embedding", export.Outputs);
        var onnxEncoder = OnnxSentenceEncoder.Load(dir, new OnnxOptions { IntraOpThreads = 1 });
        Assert.IsType<OnnxPooledBackbone>(onnxEncoder.Backbone);
        var onOnnx = onnxEncoder.Encode(Texts);
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.True(Fixtures.MaxAbsDiff(managed[i], before[i]) > 1e-3, "training must have changed the vectors");
            Assert.True(Fixtures.MaxAbsDiff(managed[i], onTorch[i]) < 1e-4, $"text {i}, managed vs TorchSharp: {Fixtures.MaxAbsDiff(managed[i], onTorch[i]):g3}");
            Assert.True(Fixtures.MaxAbsDiff(managed[i], onOnnx[i]) < 1e-4, $"text {i}, managed vs ONNX Runtime: {Fixtures.MaxAbsDiff(managed[i], onOnnx[i]):g3}");
            Assert.True(Fixtures.MaxAbsDiff(onTorch[i], onOnnx[i]) < 1e-4, $"text {i}, TorchSharp vs ONNX Runtime: {Fixtures.MaxAbsDiff(onTorch[i], onOnnx[i]):g3}");
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
