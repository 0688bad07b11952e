namespace MLNet.Embeddings.Training.Data;

/// <summary>Switches for <see cref="DatasetCleaner"/> and <see cref="TextNormalizer"/>.</summary>
public sealed class CleanOptions
{
    /// <summary>Remove HTML tags (and script/style bodies) and decode entities. Default true.</summary>
    public bool StripHtml { get; set; } = true;
    /// <summary>Unicode NFKC normalisation (full-width → ASCII, ligatures split …). Default true.</summary>
    public bool UnicodeNfkc { get; set; } = true;
    /// <summary>Trim and collapse runs of whitespace to one space. Default true.</summary>
    public bool NormalizeWhitespace { get; set; } = true;
    /// <summary>Lowercase every text (invariant culture). Default false.</summary>
    public bool Lowercase { get; set; }
    /// <summary>Drop rows that are exact duplicates (same query, positives and negatives after cleaning, case-insensitive). Default true.</summary>
    public bool DropExactDuplicates { get; set; } = true;
    /// <summary>Drop rows whose query + positives text is a near duplicate of an earlier kept row (MinHash LSH). Default true.</summary>
    public bool DropNearDuplicates { get; set; } = true;
    /// <summary>Near-duplicate detection settings (shingles, threshold, bands).</summary>
    public NearDuplicateOptions NearDuplicates { get; set; } = new();
    /// <summary>Receives the number of rows read so far.</summary>
    public IProgress<long>? Progress { get; set; }
}
