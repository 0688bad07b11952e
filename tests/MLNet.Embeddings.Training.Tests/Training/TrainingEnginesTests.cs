using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.Training.Tests.Training;

/// <summary>Backend selection without libtorch: the managed default, and clear errors for what this assembly cannot run.</summary>
public class TrainingEnginesTests
{
    [Fact]
    public void ManagedOnTheCpuIsTheDefault()
    {
        var o = new TrainerOptions();
        Assert.Equal(TrainingBackend.Managed, o.Backend);
        Assert.Null(o.Device);
        Assert.Equal(TrainingPrecision.Float32, o.Precision);
        Assert.Equal(TrainingBackend.Managed, TrainingEngines.Resolve(o).Backend);
    }

    [Fact]
    public void UnregisteredTorchSharpNamesWhatToReference()
    {
        // This test assembly never references MLNet.Embeddings.TorchSharp, so nothing can have registered it.
        var e = Assert.Throws<ConfigurationException>(() =>
            new SentenceEncoderTrainer(BertTrainingTests.TinyBert(), new MultipleNegativesRankingLoss(), new TrainerOptions { Backend = TrainingBackend.TorchSharp }));
        Assert.Equal("Backend", e.Setting);
        Assert.Contains("MLNet.Embeddings.TorchSharp", e.Message);
        Assert.Contains("TorchSharpBackend.Register()", e.Message);
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:1")]
    public void ManagedBackendRefusesCuda(string device)
    {
        var trainer = new SentenceEncoderTrainer(BertTrainingTests.TinyBert(), new MultipleNegativesRankingLoss(),
            new TrainerOptions { Device = device, MaxSteps = 1, BatchSize = 2 });
        var rows = new[] { new MLNet.Embeddings.Training.Data.TrainingExample { Query = "a b", Pos = ["c d"] }, new MLNet.Embeddings.Training.Data.TrainingExample { Query = "e f", Pos = ["g h"] } };
        var e = Assert.Throws<ConfigurationException>(() => trainer.Fit(rows));
        Assert.Equal("Device", e.Setting);
        Assert.Contains(device, e.Message);
    }

    [Fact]
    public void FactoryMustServeTheChosenBackend()
    {
        var o = new TrainerOptions { Backend = TrainingBackend.TorchSharp, EngineFactory = ManagedTrainingEngine.Factory };
        var e = Assert.Throws<ConfigurationException>(() => TrainingEngines.Resolve(o));
        Assert.Equal("EngineFactory", e.Setting);
    }
}
