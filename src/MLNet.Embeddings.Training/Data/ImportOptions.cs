namespace MLNet.Embeddings.Training.Data;

/// <summary>How <see cref="DatasetImporter"/> maps a table's columns onto training rows.</summary>
public sealed class ImportOptions
{
    /// <summary>Column that becomes the query (e.g. "question"). Required.</summary>
    public string QueryColumn { get; set; } = "";
    /// <summary>Columns whose non-empty values become positives (e.g. ["context"] or ["answer"]). At least one.</summary>
    public List<string> PosColumns { get; set; } = new();
    /// <summary>
    /// Optional column holding a similarity score (e.g. STS-B's 0–5 "score"): written as each row's "score", which makes
    /// the file scored pairs (query = sentence1, pos[0] = sentence2) for the cosine / CoSENT losses and the similarity
    /// evaluator. A value that is not a number skips the row.
    /// </summary>
    public string? ScoreColumn { get; set; }
    /// <summary>Optional columns whose non-empty values become negatives.</summary>
    public List<string> NegColumns { get; set; } = new();
    /// <summary>Instruction written to every row's "prompt", or null.</summary>
    public string? Prompt { get; set; }
    /// <summary>Task type written to every row's "type", or null.</summary>
    public string? Type { get; set; }
    /// <summary>Columns copied verbatim into each row's extra fields (e.g. "ticker"), as strings.</summary>
    public List<string> KeepColumns { get; set; } = new();
    /// <summary>Input format; default from the extension.</summary>
    public ImportFormat Format { get; set; } = ImportFormat.Auto;
    /// <summary>Whether '"' quotes fields; null = CSV yes, TSV no (plain TSV like the STS benchmark).</summary>
    public bool? Quoting { get; set; }
    /// <summary>Whether the first CSV/TSV record names the columns (default true). Without a header, columns are 0-based indices ("0", "1" …).</summary>
    public bool HasHeader { get; set; } = true;
    /// <summary>Receives the number of input rows read so far (every 10,000 rows and at the end).</summary>
    public IProgress<long>? Progress { get; set; }
}
