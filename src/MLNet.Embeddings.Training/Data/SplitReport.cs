namespace MLNet.Embeddings.Training.Data;

/// <summary>What <see cref="DatasetSplitter"/> produced.</summary>
public sealed class SplitReport
{
    /// <summary>Rows per split, in order train, val, test.</summary>
    public long[] Rows { get; set; } = [];
    /// <summary>Row groups (rows linked by a shared or near-duplicate text stay in one split).</summary>
    public int Groups { get; set; }
    /// <summary>Rows in the largest group.</summary>
    public int LargestGroup { get; set; }
    /// <summary>Rows linked to another row only through a near duplicate (not an exact shared text).</summary>
    public int NearDuplicateLinks { get; set; }
    /// <summary>Rows per split and type (when stratified), keyed by type ("" for none).</summary>
    public Dictionary<string, long[]> RowsByType { get; } = new();
    /// <summary>Files written (train, val, test), when split from a file.</summary>
    public List<string> Files { get; } = new();
}
