using Microsoft.Extensions.AI;

namespace MLNet.Embeddings;

/// <summary>
/// A <see cref="SentenceEncoder"/> as a Microsoft.Extensions.AI <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>:
/// one <see cref="Embedding{T}"/> per input, in input order. <see cref="EmbeddingGenerationOptions.Dimensions"/>
/// selects Matryoshka truncation (then the model's normalisation applies to the truncated vector).
/// </summary>
public sealed class SentenceEncoderEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The provider name reported in <see cref="Metadata"/>.</summary>
    public const string ProviderName = "MLNet.Embeddings";

    readonly EncodeOptions _defaults;

    /// <summary>Wraps <paramref name="encoder"/>; <paramref name="defaults"/> supplies prompt, batch size, normalisation and length (copied).</summary>
    public SentenceEncoderEmbeddingGenerator(SentenceEncoder encoder, EncodeOptions? defaults = null)
    {
        Encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        _defaults = Copy(defaults ?? new EncodeOptions());
        Metadata = new EmbeddingGeneratorMetadata(ProviderName, providerUri: null, encoder.Config.ModelId, _defaults.Dimensions ?? encoder.Dimensions);
    }

    /// <summary>The wrapped encoder.</summary>
    public SentenceEncoder Encoder { get; }

    /// <summary>Provider name, model id (<see cref="SentenceEncoderConfig.ModelId"/>) and default dimensions.</summary>
    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? values.ToList();
        var encodeOptions = Copy(_defaults);
        if (options?.Dimensions is int d) encodeOptions.Dimensions = d;
        // Encoding is CPU-bound; keep it off the caller's context. A single short text is cheap enough to run inline.
        float[][] vectors = texts.Count <= 1
            ? Encoder.Encode(texts, encodeOptions, cancellationToken)
            : await Task.Run(() => Encoder.Encode(texts, encodeOptions, cancellationToken), cancellationToken).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Length);
        foreach (var v in vectors) result.Add(new Embedding<float>(v) { ModelId = Metadata.DefaultModelId, CreatedAt = created });
        return result;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return Metadata;
        if (serviceType == typeof(SentenceEncoder)) return Encoder;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Nothing to release: the encoder holds only managed memory.</summary>
    public void Dispose() { }

    static EncodeOptions Copy(EncodeOptions o) => new()
    {
        Prompt = o.Prompt, PromptName = o.PromptName, BatchSize = o.BatchSize, Normalize = o.Normalize,
        Dimensions = o.Dimensions, MaxLength = o.MaxLength, Pooling = o.Pooling, Progress = o.Progress,
    };
}
