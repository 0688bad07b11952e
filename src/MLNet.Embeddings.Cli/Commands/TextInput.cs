using System.Text;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Data;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// Reads the texts of an input file for commands that embed or search: <c>.txt</c> (one text per line, empty lines
/// kept so indices equal line numbers − 1), <c>.jsonl</c> (field <c>text</c> or the named column; blank lines
/// skipped), <c>.csv</c>/<c>.tsv</c> (header row; column <c>text</c> or the named column). Errors name the file and line.
/// </summary>
internal static class TextInput
{
    public const string DefaultColumn = "text";

    /// <summary>Formats this reader understands, for help texts.</summary>
    public const string Formats = ".txt (one text per line), .jsonl (field 'text') or .csv/.tsv (header, column 'text')";

    /// <param name="path">The file.</param>
    /// <param name="column">Field or column holding the text (default <see cref="DefaultColumn"/>).</param>
    /// <param name="option">The option that named the file, for the missing-file error.</param>
    public static List<string> Read(string path, string? column = null, string option = "--input")
    {
        InputFile.Require(path, option);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".txt" or ".text" => ReadLines(path),
            ".jsonl" or ".ndjson" => ReadJsonl(path, column ?? DefaultColumn),
            ".csv" => ReadDelimited(path, ',', column ?? DefaultColumn),
            ".tsv" => ReadDelimited(path, '\t', column ?? DefaultColumn),
            _ => throw new DatasetFormatException(path, 0, null, $"unknown input extension '{ext}'; expected .txt, .jsonl, .csv or .tsv."),
        };
    }

    static List<string> ReadLines(string path)
    {
        var texts = new List<string>();
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        while (reader.ReadLine() is { } line) texts.Add(line);
        return texts;
    }

    static List<string> ReadJsonl(string path, string column) =>
        JsonLinesReader.Read(path).Select(row => row.String(column, "field is missing (use --text-column to pick another field).")).ToList();

    static List<string> ReadDelimited(string path, char delimiter, string column)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvRecordReader(reader, delimiter);
        var fields = new List<string>();
        try
        {
            if (!csv.Read(fields)) throw new DatasetFormatException(path, 1, null, "the file is empty; expected a header row.");
            int index = fields.IndexOf(column);
            if (index < 0)
                throw new DatasetFormatException(path, 1, column, $"no such column; the header has {string.Join(", ", fields.Select(f => $"'{f}'"))} (use --text-column).");
            var texts = new List<string>();
            while (csv.Read(fields))
            {
                if (fields.Count == 1 && fields[0].Length == 0) continue; // blank line
                if (index >= fields.Count)
                    throw new DatasetFormatException(path, csv.RecordLine, column, $"the record has {fields.Count} fields, the header {index + 1} or more.");
                texts.Add(fields[index]);
            }
            return texts;
        }
        catch (CsvFormatException ex) { throw new DatasetFormatException(path, ex.Line, null, ex.Reason, ex); }
    }
}
