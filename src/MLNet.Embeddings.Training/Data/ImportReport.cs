namespace MLNet.Embeddings.Training.Data;

/// <summary>What <see cref="DatasetImporter"/> read, wrote and skipped (with line numbers and reasons).</summary>
public sealed class ImportReport
{
    /// <summary>Input rows read (header excluded, blank lines excluded).</summary>
    public long RowsRead { get; set; }
    /// <summary>Rows written.</summary>
    public long RowsWritten { get; set; }
    /// <summary>Rows skipped.</summary>
    public long RowsSkipped { get; set; }
    /// <summary>Skipped rows: line where the record starts, the column, why (first 10,000 kept).</summary>
    public List<DatasetProblem> Skipped { get; } = new();
}
