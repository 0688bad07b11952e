using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.TorchSharp.Tests;

/// <summary>The CUDA path: runs only where libtorch sees a GPU (skipped here with the reason).</summary>
public class CudaTests
{
    [CudaFact]
    public void CudaForwardMatchesPyTorch()
    {
        using var backbone = new TorchBertBackbone(Fixtures.Bert("tiny-gelu"), "cuda");
        Assert.StartsWith("cuda", backbone.Device);
        double diff = Fixtures.MaxAbsDiff(backbone.Forward(Fixtures.Batch("tiny-gelu")), Fixtures.Expected("tiny-gelu")["last_hidden_state"].Value);
        Assert.True(diff < 1e-4, $"max abs diff {diff:g3}");
    }

    [CudaFact]
    public void CudaTrainingMatchesCpuTraining()
    {
        string train = Path.Combine(Fixtures.Folder("bert-mnrl"), "train.jsonl");
        var cpu = TrainingParityTests.TinyBert();
        new SentenceEncoderTrainer(cpu, new MultipleNegativesRankingLoss(), TrainingParityTests.Options(1e-3f)).Fit(TrainingDataReader.Read(train));
        var gpu = TrainingParityTests.TinyBert();
        var o = TrainingParityTests.Options(1e-3f); o.Device = "cuda:0";
        new SentenceEncoderTrainer(gpu, new MultipleNegativesRankingLoss(), o).Fit(TrainingDataReader.Read(train));
        var a = gpu.Encode(["left center play"])[0]; var b = cpu.Encode(["left center play"])[0];
        Assert.True(Fixtures.MaxAbsDiff(a, b) < 1e-4);
    }

    [CudaFact]
    public void BFloat16AutocastTrainsAndStaysClose()
    {
        string train = Path.Combine(Fixtures.Folder("bert-mnrl"), "train.jsonl");
        var model = TrainingParityTests.TinyBert();
        var before = model.Encode(["left center play"])[0];
        var o = TrainingParityTests.Options(1e-3f); o.Device = "cuda"; o.Precision = TrainingPrecision.BFloat16;
        var losses = new List<float>();
        o.Progress = new SyncProgress(p => losses.Add(p.Loss));
        new SentenceEncoderTrainer(model, new MultipleNegativesRankingLoss(), o).Fit(TrainingDataReader.Read(train));
        Assert.All(losses, l => Assert.True(float.IsFinite(l)));
        Assert.True(Fixtures.MaxAbsDiff(model.Encode(["left center play"])[0], before) > 1e-3);
    }
}
