using Microsoft.Extensions.AI;
using MLNet.Embeddings;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="SentenceEncoder"/> as <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of string → <see cref="Embedding{T}"/> of float.</summary>
public static class SentenceEncoderServiceCollectionExtensions
{
    /// <summary>
    /// Registers singletons: the <see cref="SentenceEncoder"/> loaded from <paramref name="modelPath"/> (on first use)
    /// and an <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> over it.
    /// </summary>
    public static IServiceCollection AddSentenceEncoderEmbeddingGenerator(this IServiceCollection services, string modelPath, EncodeOptions? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        services.AddSingleton(_ => SentenceEncoder.Load(modelPath));
        return AddGenerator(services, defaults);
    }

    /// <summary>Registers <paramref name="encoder"/> and an <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> over it as singletons.</summary>
    public static IServiceCollection AddSentenceEncoderEmbeddingGenerator(this IServiceCollection services, SentenceEncoder encoder, EncodeOptions? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(encoder);
        services.AddSingleton(encoder);
        return AddGenerator(services, defaults);
    }

    /// <summary>Keyed variant: registers the model at <paramref name="modelPath"/> and its generator under <paramref name="serviceKey"/>.</summary>
    public static IServiceCollection AddKeyedSentenceEncoderEmbeddingGenerator(this IServiceCollection services, object serviceKey, string modelPath, EncodeOptions? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        services.AddKeyedSingleton(serviceKey, (_, _) => SentenceEncoder.Load(modelPath));
        services.AddKeyedSingleton<SentenceEncoderEmbeddingGenerator>(serviceKey,
            (sp, key) => new SentenceEncoderEmbeddingGenerator(sp.GetRequiredKeyedService<SentenceEncoder>(key), defaults));
        services.AddKeyedSingleton<IEmbeddingGenerator<string, Embedding<float>>>(serviceKey,
            (sp, key) => sp.GetRequiredKeyedService<SentenceEncoderEmbeddingGenerator>(key));
        return services;
    }

    static IServiceCollection AddGenerator(IServiceCollection services, EncodeOptions? defaults)
    {
        services.AddSingleton(sp => new SentenceEncoderEmbeddingGenerator(sp.GetRequiredService<SentenceEncoder>(), defaults));
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<SentenceEncoderEmbeddingGenerator>());
        return services;
    }
}
