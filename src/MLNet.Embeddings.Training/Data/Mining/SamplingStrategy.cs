namespace MLNet.Embeddings.Training.Data.Mining;

/// <summary>How negatives are picked from the candidates left in the rank window.</summary>
public enum SamplingStrategy
{
    /// <summary>The best-ranked candidates (sentence-transformers' "top").</summary>
    Top,
    /// <summary>Uniformly at random, seeded per row (sentence-transformers' "random", FlagEmbedding's sampling from a range).</summary>
    Random,
}
