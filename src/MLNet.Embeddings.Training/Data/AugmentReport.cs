namespace MLNet.Embeddings.Training.Data;

/// <summary>What <see cref="DataAugmenter"/> produced.</summary>
public sealed class AugmentReport
{
    /// <summary>Rows read.</summary>
    public long RowsRead { get; set; }
    /// <summary>Rows written (originals and augmented copies).</summary>
    public long RowsWritten { get; set; }
    /// <summary>Augmented copies per operation (lowercase name).</summary>
    public Dictionary<string, long> Augmented { get; } = new();
    /// <summary>Copies not written because the operation left the text unchanged (e.g. no synonym found).</summary>
    public long Unchanged { get; set; }
}
