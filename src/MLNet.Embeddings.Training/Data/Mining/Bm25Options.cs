namespace MLNet.Embeddings.Training.Data.Mining;

/// <summary>
/// Okapi BM25 parameters. Defaults are Lucene's / Elasticsearch's: k1 = 1.2 (term-frequency saturation),
/// b = 0.75 (length normalisation). (rank_bm25, used by many Python scripts, defaults to k1 = 1.5.)
/// </summary>
public sealed class Bm25Options
{
    /// <summary>Term-frequency saturation. Default 1.2.</summary>
    public float K1 { get; set; } = 1.2f;
    /// <summary>Document-length normalisation, 0 (none) to 1 (full). Default 0.75.</summary>
    public float B { get; set; } = 0.75f;
    /// <summary>Drop English stop words when analysing. Default true.</summary>
    public bool RemoveStopWords { get; set; } = true;
}
