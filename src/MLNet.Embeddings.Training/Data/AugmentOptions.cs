namespace MLNet.Embeddings.Training.Data;

/// <summary>Options for <see cref="DataAugmenter"/>. Defaults follow EDA: rate 0.1, one copy per operation.</summary>
public sealed class AugmentOptions
{
    /// <summary>Operations to apply; each makes its own augmented copy. Default: swap, delete, insert, synonym (synonym and
    /// thesaurus-based insert only do something with a <see cref="Thesaurus"/>).</summary>
    public List<AugmentOperation> Operations { get; set; } = [AugmentOperation.Synonym, AugmentOperation.Insert, AugmentOperation.Swap, AugmentOperation.Delete];
    /// <summary>Share of words changed (EDA's alpha): n = max(1, round(rate × words)) replacements / insertions / swaps; deletion probability. Default 0.1.</summary>
    public double Rate { get; set; } = 0.1;
    /// <summary>Augmented copies per operation and row. Default 1.</summary>
    public int CopiesPerOperation { get; set; } = 1;
    /// <summary>Also augment positives (default false: only the query changes, the positives stay as labelled).</summary>
    public bool AugmentPositives { get; set; }
    /// <summary>Write the original rows too (default true).</summary>
    public bool KeepOriginal { get; set; } = true;
    /// <summary>Synonyms, or null.</summary>
    public Thesaurus? Thesaurus { get; set; }
    /// <summary>Random seed. Default 42.</summary>
    public int Seed { get; set; } = 42;
}
