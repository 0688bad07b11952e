namespace MLNet.Embeddings.Training;

/// <summary>Creates the <see cref="ITrainingEngine"/> of one backend for one training run.</summary>
public interface ITrainingEngineFactory
{
    /// <summary>The backend this factory serves.</summary>
    TrainingBackend Backend { get; }
    /// <summary>An engine over <paramref name="model"/>'s weights, placed as <paramref name="options"/> says (Device, Precision, dropout already applied to the backbone).</summary>
    ITrainingEngine Create(SentenceEncoder model, TrainerOptions options);
}
