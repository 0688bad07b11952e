namespace MLNet.Embeddings.Training.Training;

/// <summary>The model's own pooling and normalisation, with backward, for training.</summary>
internal static class EncoderPooling
{
    /// <summary>The pooling of <paramref name="model"/>'s config as an <see cref="ITrainingPooling"/>.</summary>
    public static ITrainingPooling For(SentenceEncoder model) =>
        throw new ConfigurationException("Pooling",
            "the encoder's pooling backward is not available in this build; pass TrainerOptions.Pooling.");
}
