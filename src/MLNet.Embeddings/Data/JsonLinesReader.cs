using System.Text;
using System.Text.Json;

namespace MLNet.Embeddings.Data;

/// <summary>
/// The one reader of JSON Lines files: one JSON object per line, blank lines skipped, a UTF-8 byte-order mark
/// accepted. Every error is a <see cref="DatasetFormatException"/> in one format: <c>file:line: column N: …</c> for a
/// line that is not JSON, <c>file:line: field 'x': …</c> for a field (<see cref="JsonLine.Error"/>).
/// </summary>
public static class JsonLinesReader
{
    /// <summary>Streams the rows of <paramref name="path"/>; each row is valid until the next one is read.</summary>
    /// <exception cref="DatasetFormatException">A line is not JSON or not an object.</exception>
    public static IEnumerable<JsonLine> Read(string path, CancellationToken cancellationToken = default)
    {
        using var reader = Open(path);
        foreach (var row in Read(reader, path, cancellationToken)) yield return row;
    }

    /// <summary>Streams the rows of <paramref name="reader"/>; <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="DatasetFormatException">A line is not JSON or not an object.</exception>
    public static IEnumerable<JsonLine> Read(TextReader reader, string path, CancellationToken cancellationToken = default)
    {
        int number = 0;
        while (reader.ReadLine() is { } text)
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            cancellationToken.ThrowIfCancellationRequested();
            using var doc = Parse(text, out string? error, out var inner)
                ?? throw new DatasetFormatException(path, number, null, error!, inner);
            yield return new JsonLine(path, number, doc.RootElement);
        }
    }

    /// <summary>The first row of <paramref name="path"/>, or null for a file without rows.</summary>
    /// <exception cref="DatasetFormatException">The first non-blank line is not a JSON object.</exception>
    public static T? First<T>(string path, Func<JsonLine, T> read)
    {
        foreach (var row in Read(path)) return read(row);
        return default;
    }

    /// <summary>
    /// Parses one line into a document whose root is an object, or returns null with <paramref name="error"/> set to the
    /// text after <c>file:line: </c> (<c>column 6: invalid JSON: …</c>, <c>expected a JSON object, found an array</c>).
    /// </summary>
    public static JsonDocument? Parse(string line, out string? error) => Parse(line, out error, out _);

    static JsonDocument? Parse(string line, out string? error, out JsonException? inner)
    {
        JsonDocument doc;
        inner = null;
        try { doc = JsonDocument.Parse(line); }
        catch (JsonException ex)
        {
            inner = ex;
            error = DatasetFormatException.InvalidJson(ex)
                + (line.Contains("NaN", StringComparison.Ordinal) || line.Contains("Infinity", StringComparison.Ordinal) ? " (NaN / Infinity are not valid JSON numbers)" : "");
            return null;
        }
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            error = $"expected a JSON object, found {JsonLine.Kind(doc.RootElement)}.";
            doc.Dispose();
            return null;
        }
        error = null;
        return doc;
    }

    /// <summary>Opens <paramref name="path"/> for sequential reading as UTF-8 (a byte-order mark is detected and skipped).</summary>
    public static StreamReader Open(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan),
            new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
}
