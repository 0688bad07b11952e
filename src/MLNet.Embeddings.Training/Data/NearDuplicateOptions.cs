namespace MLNet.Embeddings.Training.Data;

/// <summary>
/// MinHash + LSH settings for <see cref="NearDuplicateIndex"/>. Defaults: character 5-gram shingles of the
/// normalised text (works for English and CJK alike), 120 hash functions in 20 bands of 6 rows (LSH makes
/// a pair with Jaccard 0.8 a candidate with probability 0.998, one with Jaccard 0.3 with probability 0.015),
/// and a candidate pair counts as a near duplicate when its estimated Jaccard similarity (share of equal MinHash
/// values) is at least 0.8.
/// </summary>
public sealed class NearDuplicateOptions
{
    /// <summary>Estimated Jaccard similarity at or above which two texts are near duplicates. Default 0.8.</summary>
    public double Threshold { get; set; } = 0.8;
    /// <summary>Shingle on words instead of characters. Default false (characters).</summary>
    public bool WordShingles { get; set; }
    /// <summary>Shingle length: characters (default 5) or words (use e.g. 3).</summary>
    public int ShingleSize { get; set; } = 5;
    /// <summary>LSH bands. Default 20.</summary>
    public int Bands { get; set; } = 20;
    /// <summary>Rows per band; Bands × RowsPerBand hash functions in all. Default 6.</summary>
    public int RowsPerBand { get; set; } = 6;
    /// <summary>Seed of the hash functions. Default 42.</summary>
    public int Seed { get; set; } = 42;
}
