using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.TorchSharp;

/// <summary>
/// The <see cref="ITrainingEngineFactory"/> of <see cref="TrainingBackend.TorchSharp"/>: pass it as
/// <see cref="TrainerOptions.EngineFactory"/> or register it once with <see cref="TorchSharpBackend.Register"/>.
/// </summary>
public sealed class TorchSharpEngineFactory : ITrainingEngineFactory
{
    /// <inheritdoc />
    public TrainingBackend Backend => TrainingBackend.TorchSharp;

    /// <inheritdoc />
    /// <exception cref="LibTorchLoadException">libtorch cannot be loaded (the message names the cause).</exception>
    /// <exception cref="ConfigurationException">The device or precision cannot be used, or the model is not BERT-family.</exception>
    public ITrainingEngine Create(SentenceEncoder model, TrainerOptions options) => new TorchTrainingEngine(model, options);
}
