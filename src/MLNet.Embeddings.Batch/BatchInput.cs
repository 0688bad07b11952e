using System.Globalization;
using System.Text;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using MLNet.Embeddings.Data;

namespace MLNet.Embeddings.Training.Batch;

/// <summary>
/// Streams the rows of an input file for batch jobs, one at a time, so memory does not grow with the file:
/// <c>.txt</c> (one text per line, empty lines kept so indices equal line numbers − 1), <c>.jsonl</c> (field
/// <c>text</c> or the named one; blank lines skipped), <c>.csv</c>/<c>.tsv</c> (header row), <c>.parquet</c> (a string
/// column, read one row group at a time). Errors name the file, line (or row) and field.
/// </summary>
public static class BatchInput
{
    /// <summary>The default text field or column.</summary>
    public const string DefaultTextColumn = "text";

    /// <summary>The format of <paramref name="path"/> by its extension; errors name <paramref name="setting"/>.</summary>
    public static BatchFormat FormatOf(string path, string setting = "--input") => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".txt" or ".text" => BatchFormat.Text,
        ".jsonl" or ".ndjson" => BatchFormat.Jsonl,
        ".csv" => BatchFormat.Csv,
        ".tsv" => BatchFormat.Tsv,
        ".parquet" => BatchFormat.Parquet,
        var ext => throw new ConfigurationException(setting, $"unknown extension '{ext}' of {path}; expected .txt, .jsonl, .csv, .tsv or .parquet."),
    };

    /// <summary>Streams the rows of <paramref name="path"/> in file order, numbered from 0.</summary>
    /// <param name="path">The input file.</param>
    /// <param name="textColumn">Field or column holding the text (default <see cref="DefaultTextColumn"/>; not for .txt).</param>
    /// <param name="idColumn">Field or column copied to the output as the row's id, or null.</param>
    public static IEnumerable<BatchRow> Read(string path, string? textColumn = null, string? idColumn = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"file not found: {path}", path);
        var format = FormatOf(path);
        if (format == BatchFormat.Text && idColumn is not null)
            throw new ConfigurationException("--id-column", $"a .txt input has no columns; use .jsonl, .csv, .tsv or .parquet to carry an id ({path}).");
        string text = textColumn ?? DefaultTextColumn;
        return format switch
        {
            BatchFormat.Text => ReadLines(path),
            BatchFormat.Jsonl => ReadJsonl(path, text, idColumn),
            BatchFormat.Csv => ReadDelimited(path, ',', text, idColumn),
            BatchFormat.Tsv => ReadDelimited(path, '\t', text, idColumn),
            _ => ReadParquet(path, text, idColumn),
        };
    }

    static IEnumerable<BatchRow> ReadLines(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        long index = 0;
        while (reader.ReadLine() is { } line) yield return new BatchRow(index++, null, line);
    }

    static IEnumerable<BatchRow> ReadJsonl(string path, string column, string? idColumn)
    {
        long index = 0;
        foreach (var row in JsonLinesReader.Read(path))
        {
            string text = row.String(column, "field is missing (use --text-column to pick another field).");
            string? id = null;
            if (idColumn is not null)
            {
                if (!row.TryGet(idColumn, out var idValue)) throw row.Error(idColumn, "id field is missing.");
                id = idValue.ValueKind == JsonValueKind.String ? row.Text(idValue, idColumn) : idValue.GetRawText();
            }
            yield return new BatchRow(index++, id, text);
        }
    }

    static IEnumerable<BatchRow> ReadDelimited(string path, char delimiter, string column, string? idColumn)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        using var csv = new CsvRecordReader(reader, delimiter);
        var fields = new List<string>();
        if (!Next(path, csv, fields)) throw new DatasetFormatException(path, 1, null, "the file is empty; expected a header row.");
        int textAt = ColumnIndex(path, fields, column, "--text-column");
        int idAt = idColumn is null ? -1 : ColumnIndex(path, fields, idColumn, "--id-column");
        int need = Math.Max(textAt, idAt);
        long index = 0;
        while (Next(path, csv, fields))
        {
            if (fields.Count == 1 && fields[0].Length == 0) continue; // blank line
            if (need >= fields.Count)
                throw new DatasetFormatException(path, csv.RecordLine, need == textAt ? column : idColumn,
                    $"the record has {fields.Count} fields, the header {need + 1} or more.");
            yield return new BatchRow(index++, idAt < 0 ? null : fields[idAt], fields[textAt]);
        }
    }

    static bool Next(string path, CsvRecordReader csv, List<string> fields)
    {
        try { return csv.Read(fields); }
        catch (CsvFormatException ex) { throw new DatasetFormatException(path, ex.Line, null, ex.Reason, ex); }
    }

    static int ColumnIndex(string path, List<string> header, string column, string option)
    {
        int at = header.IndexOf(column);
        if (at < 0)
            throw new DatasetFormatException(path, 1, column, $"no such column; the header has {string.Join(", ", header.Select(f => $"'{f}'"))} (use {option}).");
        return at;
    }

    static IEnumerable<BatchRow> ReadParquet(string path, string column, string? idColumn)
    {
        using var stream = File.OpenRead(path);
        var reader = Wait(ParquetReader.CreateAsync(stream));
        try
        {
        var fields = reader.Schema.GetDataFields();
        DataField Find(string name, string option) => fields.FirstOrDefault(f => f.Name == name && f.Path.ToList().Count == 1)
            ?? throw new DatasetFormatException(path, 0, name, $"no such column; the file has {string.Join(", ", fields.Select(f => $"'{f.Name}'"))} (use {option}).");
        var textField = Find(column, "--text-column");
        if (!IsString(textField))
            throw new DatasetFormatException(path, 0, column, $"expected a string column, found {textField.ClrType.Name}.");
        var idField = idColumn is null ? null : Find(idColumn, "--id-column");
        long index = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            string?[] texts, ids;
            using (var group = reader.OpenRowGroupReader(g))
            {
                int rows = checked((int)group.RowCount);
                texts = new string?[rows];
                Wait(group.ReadAsync(textField, texts.AsMemory()!));
                ids = idField is null ? [] : ReadIds(group, idField, rows, path);
            }
            for (int r = 0; r < texts.Length; r++, index++)
            {
                if (texts[r] is not { } t) throw new DatasetFormatException(path, 0, column, $"row {index} is null; expected a string.");
                yield return new BatchRow(index, idField is null ? null : ids[r], t);
            }
        }
        }
        finally { Wait(reader.DisposeAsync()); }
    }

    static string?[] ReadIds(ParquetRowGroupReader group, DataField field, int rows, string path)
    {
        var type = field.ClrType;
        if (IsString(field)) { var s = new string?[rows]; Wait(group.ReadAsync(field, s.AsMemory()!)); return s; }
        if (type == typeof(long)) return ReadNumbers<long>(group, field, rows);
        if (type == typeof(int)) return ReadNumbers<int>(group, field, rows);
        throw new DatasetFormatException(path, 0, field.Name, $"id column must hold strings or integers, found {type.Name}.");
    }

    static string?[] ReadNumbers<T>(ParquetRowGroupReader group, DataField field, int rows) where T : struct, IFormattable
    {
        if (field.IsNullable)
        {
            var values = new T?[rows];
            Wait(group.ReadAsync(field, values.AsMemory()));
            return values.Select(v => v?.ToString(null, CultureInfo.InvariantCulture)).ToArray();
        }
        var plain = new T[rows];
        Wait(group.ReadAsync(field, plain.AsMemory()));
        return plain.Select(v => (string?)v.ToString(null, CultureInfo.InvariantCulture)).ToArray();
    }

    static bool IsString(DataField field) => field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>);

    internal static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();
    internal static T Wait<T>(ValueTask<T> task) => task.AsTask().GetAwaiter().GetResult();
    internal static void Wait(Task task) => task.GetAwaiter().GetResult();
    internal static void Wait(ValueTask task) => task.AsTask().GetAwaiter().GetResult();
}
