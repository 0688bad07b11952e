using Microsoft.Extensions.AI;

namespace MLNet.Embeddings;

/// <summary>
/// Turns any <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> (a remote API, another library, a test double) into
/// the plain embedding function that the evaluators, the miner and the batch embedder run on when a model only has to
/// embed: texts in, one vector per text out, in order.
/// </summary>
public static class EmbeddingFunctions
{
    /// <summary>
    /// The function for <paramref name="generator"/>. Of <paramref name="options"/>, a literal prompt is prepended to every
    /// text, <see cref="EncodeOptions.Dimensions"/> is sent to the generator (Matryoshka models on the server) and
    /// <see cref="EncodeOptions.Normalize"/> = true L2-normalises the returned vectors; a prompt name or a token limit,
    /// which only a local model can apply, is refused.
    /// </summary>
    /// <exception cref="ConfigurationException">An option only a local model can honour is set.</exception>
    public static Func<IReadOnlyList<string>, float[][]> FromGenerator(IEmbeddingGenerator<string, Embedding<float>> generator,
        EncodeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (options?.PromptName is { } name)
            throw new ConfigurationException(nameof(EncodeOptions.PromptName), $"'{name}' names a prompt of a local model's configuration; for a remote model give the literal prompt text.");
        if (options?.MaxLength is not null)
            throw new ConfigurationException(nameof(EncodeOptions.MaxLength), "a remote model applies its own token limit.");
        string? prompt = options?.Prompt;
        bool normalize = options?.Normalize == true;
        var generation = options?.Dimensions is int d ? new EmbeddingGenerationOptions { Dimensions = d } : null;
        return texts =>
        {
            ArgumentNullException.ThrowIfNull(texts);
            if (texts.Count == 0) return [];
            IEnumerable<string> inputs = prompt is null ? texts : texts.Select(t => prompt + t);
            var embeddings = generator.GenerateAsync(inputs, generation, cancellationToken).GetAwaiter().GetResult();
            if (embeddings.Count != texts.Count)
                throw new InvalidOperationException($"the embedding generator returned {embeddings.Count} vectors for {texts.Count} texts.");
            var result = new float[texts.Count][];
            for (int i = 0; i < result.Length; i++)
            {
                var v = embeddings[i].Vector.ToArray();
                if (normalize) Normalize(v);
                result[i] = v;
            }
            return result;
        };
    }

    static void Normalize(float[] v)
    {
        float norm = System.Numerics.Tensors.TensorPrimitives.Norm<float>(v);
        if (norm > 0) System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
    }
}
