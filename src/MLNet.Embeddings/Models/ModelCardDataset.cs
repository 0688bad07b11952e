namespace MLNet.Embeddings.Models;

/// <summary>One training data source of a <see cref="ModelCard"/>.</summary>
public sealed class ModelCardDataset
{
    /// <summary>The file as given (or "(rows in memory)").</summary>
    public string Path { get; set; } = "";
    /// <summary>Rows read from it.</summary>
    public long Rows { get; set; }
    /// <summary>SHA-256 of the file's bytes (lower-case hex), or null for rows given in memory.</summary>
    public string? Sha256 { get; set; }
}
