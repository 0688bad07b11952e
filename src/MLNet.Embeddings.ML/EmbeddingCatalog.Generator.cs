using Microsoft.Extensions.AI;
using Microsoft.ML;

namespace MLNet.Embeddings.ML;

public static partial class EmbeddingCatalog
{
    /// <summary>
    /// Embeds the text column <paramref name="inputColumnName"/> with <paramref name="generator"/> (any
    /// <c>IEmbeddingGenerator</c>: a remote API client, a cache, a local model's <c>AsEmbeddingGenerator()</c>): one
    /// generator call per window of rows (<see cref="ApplyEmbeddingOptions.WindowSize"/>), vectors in row order, their
    /// width taken from a first call made at <c>Fit</c>. Such a stage runs but cannot be saved (an instance is not data):
    /// to save and reload, use the model name <c>openai:MODEL</c> with <see cref="ApplyEmbeddingOptions.Remote"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The vector column to add.</param>
    /// <param name="inputColumnName">The text column; null uses <paramref name="outputColumnName"/>.</param>
    /// <param name="generator">The model; the stage does not dispose it.</param>
    /// <param name="options">Prompt, normalisation, Matryoshka size (sent as the generator's <c>Dimensions</c>) and window size; options that only a local model applies are refused.</param>
    public static EmbeddingEstimator ApplyEmbedding(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName,
        IEmbeddingGenerator<string, Embedding<float>> generator, ApplyEmbeddingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        return new EmbeddingEstimator(generator, [new InputOutputColumnPair(outputColumnName, inputColumnName ?? outputColumnName)], options ?? new ApplyEmbeddingOptions());
    }
}
