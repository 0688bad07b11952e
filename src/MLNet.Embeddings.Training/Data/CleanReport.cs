namespace MLNet.Embeddings.Training.Data;

/// <summary>What <see cref="DatasetCleaner"/> kept, changed and dropped, with line numbers and reasons.</summary>
public sealed class CleanReport
{
    /// <summary>Rows read.</summary>
    public long RowsRead { get; set; }
    /// <summary>Rows written.</summary>
    public long RowsWritten { get; set; }
    /// <summary>Rows whose text changed during normalisation.</summary>
    public long RowsChanged { get; set; }
    /// <summary>Empty negatives removed from kept rows (after cleaning).</summary>
    public long EmptyNegativesRemoved { get; set; }
    /// <summary>Dropped rows per reason ("empty", "exact-duplicate", "near-duplicate").</summary>
    public Dictionary<string, long> DroppedByReason { get; } = new();
    /// <summary>Dropped rows (first 10,000): line, reason, and for duplicates the line of the row kept instead.</summary>
    public List<DroppedRow> Dropped { get; } = new();
}

/// <summary>One dropped row.</summary>
/// <param name="Line">1-based line of the dropped row.</param>
/// <param name="Reason">"empty", "exact-duplicate" or "near-duplicate".</param>
/// <param name="DuplicateOfLine">For duplicates, the line of the earlier row that was kept; otherwise null.</param>
/// <param name="Similarity">For near duplicates, the estimated Jaccard similarity; otherwise null.</param>
public sealed record DroppedRow(int Line, string Reason, int? DuplicateOfLine = null, double? Similarity = null);
