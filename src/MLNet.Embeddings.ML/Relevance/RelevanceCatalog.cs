using Microsoft.ML;
using MLNet.Embeddings.CrossEncoders;

namespace MLNet.Embeddings.ML;

/// <summary>
/// <c>mlContext.Transforms.ScoreRelevance</c>: a cross-encoder (reranker) as an ML.NET estimator over IDataView.
/// Output column first, as in ML.NET's own catalogs.
/// </summary>
public static class RelevanceCatalog
{
    /// <summary>
    /// Scores each row's (query, document) pair with a cross-encoder into <paramref name="outputColumnName"/>, a Single
    /// column (the score <see cref="CrossEncoder.Predict"/> gives: by default the sigmoid of the logit of a one-label
    /// reranker). Lazy and batched: one model call per window of rows. Saved with <c>mlContext.Model.Save</c> and reloaded
    /// with <c>mlContext.Model.Load</c> or <see cref="EmbeddingModel.Load"/>, with the model inside the zip
    /// (<see cref="ModelStorage.Embedded"/>, default) or beside it (<see cref="ModelStorage.Reference"/>).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The Single column to add.</param>
    /// <param name="queryColumnName">The query text column (String / ReadOnlyMemory&lt;char&gt;).</param>
    /// <param name="documentColumnName">The document text column.</param>
    /// <param name="modelPath">A Hugging Face sequence-classification folder (a sentence-transformers CrossEncoder, a bge-reranker, one written by <see cref="CrossEncoder.Save"/>), or a model name resolved as <c>ApplyEmbedding</c> resolves one.</param>
    /// <param name="options">Token cap, activation, batching and storage; null uses the model's own settings.</param>
    public static RelevanceEstimator ScoreRelevance(this TransformsCatalog catalog, string outputColumnName, string queryColumnName, string documentColumnName,
        string modelPath, ScoreRelevanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RelevanceEstimator(outputColumnName, queryColumnName, documentColumnName, modelPath, options ?? new ScoreRelevanceOptions());
    }
}
