using System.Text.Json;
using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// Reads the texts of a command's input file, streaming, one text at a time, chosen by extension:
/// <list type="bullet">
/// <item><c>.txt</c> (or no extension): one text per line; every line counts, empty ones included, so the
/// index of a text is its line number minus one.</item>
/// <item><c>.jsonl</c>: one JSON object per non-blank line, text in the field <c>text</c> (or the one asked for).</item>
/// <item><c>.csv</c> / <c>.tsv</c>: RFC 4180, a header row, text in the column <c>text</c> (or the one asked for).</item>
/// </list>
/// Errors are <see cref="DatasetFormatException"/> with the file, line and field.
/// </summary>
internal static class TextInput
{
    /// <summary>Formats this reader understands, for help texts.</summary>
    public const string Formats = ".txt (one text per line), .jsonl (field 'text') or .csv/.tsv (header, column 'text')";

    /// <summary>The texts of <paramref name="path"/>, in file order.</summary>
    public static IEnumerable<string> Read(string path, string field = "text")
    {
        if (!File.Exists(path)) throw new DatasetFormatException(path, 0, null, "input file not found");
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".txt" or "" => ReadLines(path),
            ".jsonl" or ".ndjson" => ReadJsonl(path, field),
            ".csv" => ReadTable(path, ',', field),
            ".tsv" => ReadTable(path, '\t', field),
            _ => throw new DatasetFormatException(path, 0, null, $"unknown input format '{ext}': expected {Formats}"),
        };
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        using var reader = new StreamReader(path);
        while (reader.ReadLine() is { } line) yield return line;
    }

    private static IEnumerable<string> ReadJsonl(string path, string field)
    {
        using var reader = new StreamReader(path);
        int lineNo = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string? text;
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty(field, out var v))
                    throw new DatasetFormatException(path, lineNo, field, "missing (expected a JSON object with a string field)");
                if (v.ValueKind != JsonValueKind.String)
                    throw new DatasetFormatException(path, lineNo, field, $"expected a string, found {v.ValueKind}");
                text = v.GetString();
            }
            catch (JsonException ex)
            {
                throw new DatasetFormatException(path, lineNo, null, $"malformed JSON: {ex.Message}", ex);
            }
            yield return text!;
        }
    }

    private static IEnumerable<string> ReadTable(string path, char delimiter, string field)
    {
        using var csv = new CsvRecordReader(new StreamReader(path), delimiter);
        var fields = new List<string>();
        if (!Read(csv, fields, path)) yield break;
        int column = fields.IndexOf(field);
        if (column < 0) throw new DatasetFormatException(path, 1, field, $"column not found in the header ({string.Join(", ", fields)})");
        while (Read(csv, fields, path))
        {
            if (fields.Count == 1 && fields[0].Length == 0) continue; // blank line
            if (column >= fields.Count)
                throw new DatasetFormatException(path, csv.RecordLine, field, $"row has {fields.Count} columns, expected at least {column + 1}");
            yield return fields[column];
        }
    }

    private static bool Read(CsvRecordReader csv, List<string> fields, string path)
    {
        try { return csv.Read(fields); }
        catch (FormatException ex) { throw new DatasetFormatException(path, csv.RecordLine, null, ex.Message, ex); }
    }
}
