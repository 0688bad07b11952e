namespace MLNet.Embeddings.Training.Data;

/// <summary>
/// MinHash + LSH settings for <see cref="NearDuplicateIndex"/>. Defaults: character 5-gram shingles of the
/// normalised text (works for English and CJK alike), 128 hash functions in 32 bands of 4 rows (LSH catches
/// pairs with Jaccard ≥ 0.6 with probability above 0.98), and a pair counts as a near duplicate when its
/// estimated Jaccard similarity (share of equal MinHash values) is at least 0.8.
/// </summary>
public sealed class NearDuplicateOptions
{
    /// <summary>Estimated Jaccard similarity at or above which two texts are near duplicates. Default 0.8.</summary>
    public double Threshold { get; set; } = 0.8;
    /// <summary>Shingle on words instead of characters. Default false (characters).</summary>
    public bool WordShingles { get; set; }
    /// <summary>Shingle length: characters (default 5) or words (use e.g. 3).</summary>
    public int ShingleSize { get; set; } = 5;
    /// <summary>LSH bands. Default 32.</summary>
    public int Bands { get; set; } = 32;
    /// <summary>Rows per band; Bands × RowsPerBand hash functions in all. Default 4.</summary>
    public int RowsPerBand { get; set; } = 4;
    /// <summary>Seed of the hash functions. Default 42.</summary>
    public int Seed { get; set; } = 42;
}
