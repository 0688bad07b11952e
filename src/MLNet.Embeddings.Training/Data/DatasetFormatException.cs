namespace MLNet.Embeddings.Training.Data;

/// <summary>A dataset file is malformed; names the file, the 1-based line and the field.</summary>
public sealed class DatasetFormatException : Exception
{
    /// <summary>Creates the exception; the message reads <c>path:line field 'f': message</c> (no line part when <paramref name="line"/> is 0).</summary>
    public DatasetFormatException(string path, int line, string? field, string message, Exception? inner = null)
        : base($"{path}{(line > 0 ? $":{line}" : "")}{(field is null ? "" : $" field '{field}'")}: {message}", inner)
    { Path = path; Line = line; Field = field; }
    /// <summary>The file.</summary>
    public string Path { get; }
    /// <summary>1-based line (0 when not line-specific).</summary>
    public int Line { get; }
    /// <summary>The field, or null.</summary>
    public string? Field { get; }
}
