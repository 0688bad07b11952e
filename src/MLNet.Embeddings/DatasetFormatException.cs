namespace MLNet.Embeddings;

/// <summary>
/// A dataset file is malformed; names the file, the 1-based line and the field. The message reads
/// <c>file:line: field 'x': message</c>, or <c>file:line: column N: invalid JSON: …</c> for a line that is not JSON.
/// </summary>
public sealed class DatasetFormatException : Exception
{
    /// <summary>Creates the exception; the message reads <c>path:line: field 'f': message</c> (no line part when <paramref name="line"/> is 0, no field part when <paramref name="field"/> is null).</summary>
    public DatasetFormatException(string path, int line, string? field, string message, Exception? inner = null)
        : base($"{path}{(line > 0 ? $":{line}" : "")}: {(field is null ? "" : $"field '{field}': ")}{message}", inner)
    { Path = path; Line = line; Field = field; }

    /// <summary>
    /// The text after <c>path:line: </c> for a line that is not JSON: <c>column 6: invalid JSON: 'x' is an invalid
    /// start of a value</c>. System.Text.Json's own "LineNumber: 0 | BytePositionInLine: 5" counts inside the one line
    /// parsed, which reads as a contradiction next to the file's line, so it is replaced by the column.
    /// </summary>
    public static string InvalidJson(System.Text.Json.JsonException error)
    {
        string detail = System.Text.RegularExpressions.Regex.Replace(error.Message, @"\s*(Path: \S*)?\s*\|?\s*LineNumber: \d+ \| BytePositionInLine: \d+\.?\s*$", "").TrimEnd('.', ' ', '|');
        return error.BytePositionInLine is { } b ? $"column {b + 1}: invalid JSON: {detail}" : $"invalid JSON: {detail}";
    }

    /// <summary>The file.</summary>
    public string Path { get; }
    /// <summary>1-based line (0 when not line-specific).</summary>
    public int Line { get; }
    /// <summary>The field, or null.</summary>
    public string? Field { get; }
}
