namespace MLNet.Embeddings.Training.Data;

/// <summary>Options for <see cref="DatasetSplitter"/>.</summary>
public sealed class SplitOptions
{
    /// <summary>Train / validation / test fractions: each positive, summing to 1 (within 1e-6; anything else is a ConfigurationException). Default 0.8, 0.1, 0.1.</summary>
    public double[] Ratios { get; set; } = [0.8, 0.1, 0.1];
    /// <summary>Seed for the shuffle of row groups. Default 42.</summary>
    public int Seed { get; set; } = 42;
    /// <summary>Also keep rows together that share a near-duplicate text (MinHash LSH). Default true.</summary>
    public bool GroupNearDuplicates { get; set; } = true;
    /// <summary>Also group rows by shared negatives (default false: a negative may appear in several splits).</summary>
    public bool GroupByNegatives { get; set; }
    /// <summary>Split each <c>type</c> separately so every split has the same mix of types. Default false.</summary>
    public bool StratifyByType { get; set; }
    /// <summary>Near-duplicate settings used for grouping.</summary>
    public NearDuplicateOptions NearDuplicates { get; set; } = new();
}
