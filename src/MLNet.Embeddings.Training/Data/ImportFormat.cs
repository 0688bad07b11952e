namespace MLNet.Embeddings.Training.Data;

/// <summary>Input format for <see cref="DatasetImporter"/>.</summary>
public enum ImportFormat
{
    /// <summary>From the extension: .csv → CSV, .tsv/.tab → TSV, anything else → JSONL.</summary>
    Auto,
    /// <summary>Comma-separated, RFC 4180 quoting.</summary>
    Csv,
    /// <summary>Tab-separated (quoting per <see cref="ImportOptions.Quoting"/>).</summary>
    Tsv,
    /// <summary>One JSON object per line; columns are property names, values strings or lists of strings.</summary>
    Jsonl,
}
