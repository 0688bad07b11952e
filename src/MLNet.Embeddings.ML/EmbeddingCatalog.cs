using Microsoft.ML;
using MLNet.Embeddings.Scoring;

namespace MLNet.Embeddings.ML;

/// <summary>
/// <c>mlContext.Transforms.ApplyEmbedding / FineTuneEmbedding / ScoreSimilarity</c>: text embeddings as ML.NET
/// estimators and transformers over IDataView. Output column first, as in ML.NET's own catalogs.
/// </summary>
public static partial class EmbeddingCatalog
{
    /// <summary>
    /// Embeds the text column <paramref name="inputColumnName"/> into <paramref name="outputColumnName"/>, a
    /// <c>Vector&lt;Single, N&gt;</c> of the model's size (or <see cref="ApplyEmbeddingOptions.Dimensions"/>), which
    /// ML.NET trainers (SdcaMaximumEntropy, LightGbm, KMeans …) take as features.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The vector column to add.</param>
    /// <param name="inputColumnName">The text column (String / ReadOnlyMemory&lt;char&gt;); null uses <paramref name="outputColumnName"/>.</param>
    /// <param name="modelPath">
    /// A Hugging Face / sentence-transformers folder or a word-vector file (.txt/.vec/.bin); an ONNX export folder with
    /// <see cref="EmbeddingBackend.Onnx"/>; a model name (<c>nuget:ID</c>, <c>ORG/NAME</c>); or <c>openai:MODEL</c>, a remote
    /// API at <see cref="ApplyEmbeddingOptions.Remote"/>'s endpoint.
    /// </param>
    /// <param name="options">Pooling, normalisation, prompts, Matryoshka size, backend, batching and storage; null uses the model's own settings.</param>
    public static EmbeddingEstimator ApplyEmbedding(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName, string modelPath, ApplyEmbeddingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        return new EmbeddingEstimator(modelPath, [new InputOutputColumnPair(outputColumnName, inputColumnName ?? outputColumnName)], options ?? new ApplyEmbeddingOptions());
    }

    /// <summary>Embeds several text columns with one model (loaded once): one (output, input) pair each.</summary>
    public static EmbeddingEstimator ApplyEmbedding(this TransformsCatalog catalog, InputOutputColumnPair[] columns, string modelPath, ApplyEmbeddingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(columns);
        return new EmbeddingEstimator(modelPath, columns, options ?? new ApplyEmbeddingOptions());
    }

    /// <summary>
    /// Fine-tunes <see cref="FineTuneEmbeddingOptions.BaseModelPath"/> on the columns of the data given to <c>Fit</c>
    /// (pairs, scored pairs, triplets, or labelled texts) and embeds <see cref="FineTuneEmbeddingOptions.Columns"/> with the tuned model.
    /// </summary>
    public static FineTuneEmbeddingEstimator FineTuneEmbedding(this TransformsCatalog catalog, FineTuneEmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new FineTuneEmbeddingEstimator(options);
    }

    /// <summary>
    /// Adds a Single column with the similarity of two equal-size float vector columns: cosine (default), dot, or
    /// euclidean / manhattan as negative distances (higher is more similar, as in sentence-transformers).
    /// </summary>
    public static SimilarityEstimator ScoreSimilarity(this TransformsCatalog catalog, string outputColumnName, string firstColumnName, string secondColumnName,
        SimilarityFunction function = SimilarityFunction.Cosine)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SimilarityEstimator(outputColumnName, firstColumnName, secondColumnName, function);
    }
}
