namespace MLNet.Embeddings.Scoring;

/// <summary>How two vectors are compared (sentence-transformers' similarity_fn_name).</summary>
public enum SimilarityFunction
{
    /// <summary>Cosine similarity.</summary>
    Cosine,
    /// <summary>Dot product.</summary>
    Dot,
    /// <summary>Negative euclidean distance (higher is more similar).</summary>
    Euclidean,
    /// <summary>Negative manhattan distance.</summary>
    Manhattan,
}
