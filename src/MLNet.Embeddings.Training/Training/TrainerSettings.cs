namespace MLNet.Embeddings.Training;

/// <summary>
/// The settings a run uses, resolved once from the caller's <see cref="TrainerOptions"/> and the model without
/// writing into the options: the model-dependent learning rate and the pooling.
/// </summary>
internal sealed class TrainerSettings
{
    TrainerSettings(TrainerOptions options, float learningRate, ITrainingPooling pooling, int maxLength)
    {
        Options = options; LearningRate = learningRate; Pooling = pooling; MaxLength = maxLength;
    }

    /// <summary>The caller's options (read only here).</summary>
    public TrainerOptions Options { get; }
    /// <summary>Peak learning rate: the one set, else the default for the model type.</summary>
    public float LearningRate { get; }
    /// <summary>Pooling forward/backward.</summary>
    public ITrainingPooling Pooling { get; }
    /// <summary>Token cap per text.</summary>
    public int MaxLength { get; }

    /// <summary>Resolves the settings for <paramref name="model"/>, whose backbone is <paramref name="backbone"/>.</summary>
    public static TrainerSettings Resolve(SentenceEncoder model, Backbones.ITrainableBackbone backbone, TrainerOptions options) => new(
        options,
        options.LearningRateIsSet || backbone.ModelType != "static" ? options.LearningRate : TrainerOptions.DefaultStaticLearningRate,
        options.Pooling ?? EncoderPooling.For(model),
        options.MaxLength ?? model.Config.MaxSeqLength);
}
