namespace MLNet.Embeddings.Training.Data.Mining;

/// <summary>How <see cref="HardNegativeMiner"/> finds candidate negatives.</summary>
public enum MiningMethod
{
    /// <summary>Okapi BM25 over the corpus (no model needed).</summary>
    Bm25,
    /// <summary>Exact cosine top-k with a sentence encoder over the whole corpus.</summary>
    Dense,
    /// <summary>BM25 candidates (<see cref="MiningOptions.HybridCandidates"/> per query) re-scored and re-ranked by the encoder.</summary>
    Hybrid,
}
