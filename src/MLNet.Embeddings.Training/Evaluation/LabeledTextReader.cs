using System.Globalization;
using System.Text;
using System.Text.Json;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Data;

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
        using var reader = JsonLinesReader.Open(path);
        while (reader.ReadLine() is { } raw)
        {
            if (string.IsNullOrWhiteSpace(raw)) continue;
            using var doc = JsonLinesReader.Parse(raw, out _);
            return doc is null ? null : TextFieldCandidates.FirstOrDefault(f => doc.RootElement.TryGetProperty(f, out _));
        }
        return null;
    }

    private static (List<string>, List<string>) ReadJsonl(string path, string? labelColumn, string? textColumn)
    {
        var texts = new List<string>(); var labels = new List<string>();
        textColumn ??= DetectTextField(path) ?? "text";
        foreach (var row in JsonLinesReader.Read(path))
        {
            if (!row.TryGet(textColumn, out var t))
                throw row.Error(textColumn, $"no such field; this row has: {row.Fields} (choose one with --text-column).");
            string text = t.ValueKind switch
            {
                JsonValueKind.String => row.Text(t, textColumn),
                JsonValueKind.Array when t.GetArrayLength() > 0 && t[0].ValueKind == JsonValueKind.String => row.Text(t[0], textColumn),
                JsonValueKind.Array when t.GetArrayLength() == 0 => "",
                _ => throw row.Error(textColumn, $"expected a string (or an array of strings), found {JsonLine.Kind(t)}."),
            };
            string label = "all";
            if (labelColumn is not null)
            {
                if (!row.TryGet(labelColumn, out var l) || l.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                    throw row.Error(labelColumn,
                        $"expected a label (string, number or boolean), found none; this row has: {row.Fields} (data import keeps more columns with --keep-columns).");
                label = l.ValueKind switch
                {
                    JsonValueKind.String => row.Text(l, labelColumn),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => l.GetRawText(),
                    _ => throw row.Error(labelColumn, $"expected a string, number or boolean, found {JsonLine.Kind(l)}."),
                };
            }
            if (text.Length == 0) continue;
            texts.Add(text); labels.Add(label);
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
