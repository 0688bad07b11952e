using System.Globalization;
using System.Text;
using System.Text.Json;
using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Reads (text, label) rows for plots: JSONL (one object per line; the label may be a string, number or boolean, in
/// any field, e.g. a column kept by <c>data import --keep-columns</c>; the text a string field or the first string of
/// an array such as <c>pos</c>) or CSV / TSV with a header row (RFC 4180 quoting; by extension .csv or .tsv).
/// </summary>
public static class LabeledTextReader
{
    /// <summary>Text fields tried, in order, when no text field is named: text, query, sentence1, anchor.</summary>
    public static readonly IReadOnlyList<string> TextFieldCandidates = ["text", "query", "sentence1", "anchor"];

    /// <summary>
    /// Texts and their labels, in file order. Rows with an empty text are skipped; a missing field is an error naming
    /// it and the fields the row has. <paramref name="labelColumn"/> null gives every row the label "all";
    /// <paramref name="textColumn"/> null takes the first of <see cref="TextFieldCandidates"/> the first row has.
    /// </summary>
    public static (List<string> Texts, List<string> Labels) Read(string path, string? labelColumn, string? textColumn = "text")
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext is ".csv" or ".tsv" ? ReadDelimited(path, ext == ".tsv" ? '\t' : ',', labelColumn, textColumn ?? "text") : ReadJsonl(path, labelColumn, textColumn);
    }

    /// <summary>The text field <see cref="Read"/> uses for <paramref name="path"/> when none is named (first row's fields), or null.</summary>
    public static string? DetectTextField(string path)
    {
        foreach (var raw in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(raw)) continue;
            try
            {
                using var doc = JsonDocument.Parse(raw);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
                return TextFieldCandidates.FirstOrDefault(f => doc.RootElement.TryGetProperty(f, out _));
            }
            catch (JsonException) { return null; }
        }
        return null;
    }

    static string Fields(JsonElement row) => string.Join(", ", row.EnumerateObject().Select(p => p.Name));

    private static (List<string>, List<string>) ReadJsonl(string path, string? labelColumn, string? textColumn)
    {
        var texts = new List<string>(); var labels = new List<string>();
        textColumn ??= DetectTextField(path) ?? "text";
        int line = 0;
        foreach (var raw in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(raw); }
            catch (JsonException ex) { throw new DatasetFormatException(path, line, null, DatasetFormatException.InvalidJson(ex), ex); }
            using (doc)
            {
                var row = doc.RootElement;
                if (row.ValueKind != JsonValueKind.Object)
                    throw new DatasetFormatException(path, line, null, $"expected a JSON object, found {row.ValueKind}.");
                if (!row.TryGetProperty(textColumn, out var t))
                    throw new DatasetFormatException(path, line, textColumn, $"no such field; this row has: {Fields(row)} (choose one with --text-column).");
                string text = t.ValueKind switch
                {
                    JsonValueKind.String => t.GetString()!,
                    JsonValueKind.Array when t.GetArrayLength() > 0 && t[0].ValueKind == JsonValueKind.String => t[0].GetString()!,
                    JsonValueKind.Array when t.GetArrayLength() == 0 => "",
                    _ => throw new DatasetFormatException(path, line, textColumn, $"expected a string (or an array of strings), found {t.ValueKind}."),
                };
                string label = "all";
                if (labelColumn is not null)
                {
                    if (!row.TryGetProperty(labelColumn, out var l) || l.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                        throw new DatasetFormatException(path, line, labelColumn,
                            $"expected a label (string, number or boolean), found none; this row has: {Fields(row)} (data import keeps more columns with --keep-columns).");
                    label = l.ValueKind switch
                    {
                        JsonValueKind.String => l.GetString()!,
                        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => l.GetRawText(),
                        _ => throw new DatasetFormatException(path, line, labelColumn, $"expected a string, number or boolean, found {l.ValueKind}."),
                    };
                }
                if (text.Length == 0) continue;
                texts.Add(text); labels.Add(label);
            }
        }
        return (texts, labels);
    }

    private static (List<string>, List<string>) ReadDelimited(string path, char separator, string? labelColumn, string textColumn)
    {
        var texts = new List<string>(); var labels = new List<string>();
        // CSV follows RFC 4180 quoting; TSV is read quote-less (as the STS benchmark files are written).
        using var csv = new CsvRecordReader(new StreamReader(path, Encoding.UTF8), separator, quoting: separator == ',');
        var record = new List<string>();
        bool any;
        try { any = csv.Read(record); }
        catch (CsvFormatException ex) { throw new DatasetFormatException(path, ex.Line, null, ex.Reason, ex); }
        if (!any) throw new DatasetFormatException(path, 1, null, "expected a header row, found an empty file.");
        var header = record.ToList();
        int ti = header.IndexOf(textColumn), li = labelColumn is null ? -1 : header.IndexOf(labelColumn);
        if (ti < 0) throw new DatasetFormatException(path, 1, textColumn, $"expected a column '{textColumn}', found {string.Join(", ", header)}.");
        if (li < 0 && labelColumn is not null) throw new DatasetFormatException(path, 1, labelColumn, $"expected a column '{labelColumn}', found {string.Join(", ", header)}.");
        while (true)
        {
            try { if (!csv.Read(record)) break; }
            catch (CsvFormatException ex) { throw new DatasetFormatException(path, ex.Line, null, ex.Reason, ex); }
            if (record.Count == 1 && record[0].Length == 0) continue;
            if (record.Count <= Math.Max(ti, li))
                throw new DatasetFormatException(path, csv.RecordLine, null, $"expected at least {Math.Max(ti, li) + 1} fields, found {record.Count.ToString(CultureInfo.InvariantCulture)}.");
            if (record[ti].Length == 0) continue;
            texts.Add(record[ti]); labels.Add(li < 0 ? "all" : record[li]);
        }
        return (texts, labels);
    }
}
