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
        var encoder = settings.Backend == EmbeddingBackend.Onnx
            ? OnnxSentenceEncoder.Load(modelPath, new OnnxOptions { ModelFile = settings.OnnxModelFile })
            : SentenceEncoder.Load(modelPath);
        return new EmbeddingState(encoder, settings, modelPath);
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

    /// <summary>
    /// The state as one text (the first saved format: settings and the base64 of the packed model, or a model path for
    /// <see cref="ModelStorage.Reference"/>); built once. Embedded models are saved in chunks (<see cref="SavedLookup"/>).
    /// </summary>
    public string SavedText()
    {
        lock (_gate) return _savedText ??= BuildText();
    }

    /// <summary>How many times this state's text was built (once; tests check that saves reuse it).</summary>
    public int SavedTextBuilds { get; private set; }

    /// <summary>How many times this state's lookup stages were made (once).</summary>
    public int SavedLookupBuilds { get; private set; }

    string BuildText() { SavedTextBuilds++; return SavedState.Build(this); }

    IEstimator<ITransformer> BuildLookup()
    {
        SavedLookupBuilds++;
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
