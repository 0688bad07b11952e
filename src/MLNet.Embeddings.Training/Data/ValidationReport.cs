namespace MLNet.Embeddings.Training.Data;

/// <summary>Every problem <see cref="DatasetValidator"/> found, each with its line and field.</summary>
public sealed class ValidationReport
{
    /// <summary>The file checked.</summary>
    public string Path { get; set; } = "";
    /// <summary>Non-blank lines read.</summary>
    public long Rows { get; set; }
    /// <summary>Rows with at least one problem.</summary>
    public long RowsWithProblems { get; set; }
    /// <summary>Problems found (all are counted in <see cref="ProblemCount"/>; the first 10,000 are listed).</summary>
    public List<DatasetProblem> Problems { get; } = new();
    /// <summary>Total number of problems.</summary>
    public long ProblemCount { get; set; }
    /// <summary>True when no problem was found.</summary>
    public bool IsValid => ProblemCount == 0;
}
