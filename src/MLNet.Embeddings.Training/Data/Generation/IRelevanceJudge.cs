namespace MLNet.Embeddings.Training.Data.Generation;

/// <summary>
/// Scores how well passages answer a query (higher: more relevant). <see cref="DataGenerator"/> drops a generated
/// negative that its judge scores above the row's positive. <see cref="EncoderJudge"/> uses an embedding model's
/// cosine similarity; a cross-encoder reranker plugs in through the same interface.
/// </summary>
public interface IRelevanceJudge
{
    /// <summary>One score per passage, in order.</summary>
    IReadOnlyList<float> Score(string query, IReadOnlyList<string> passages);
}
