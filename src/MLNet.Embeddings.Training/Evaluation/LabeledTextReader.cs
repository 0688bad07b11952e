using System.Globalization;
using System.Text;
using System.Text.Json;
using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Reads (text, label) rows for plots: JSONL (one object per line; the label may be a string, number or boolean)
/// or CSV / TSV with a header row (RFC 4180 quoting; by extension .csv or .tsv).
/// </summary>
public static class LabeledTextReader
{
    /// <summary>Texts and their labels, in file order. Rows with an empty text are skipped; a missing label is an error.</summary>
    public static (List<string> Texts, List<string> Labels) Read(string path, string labelColumn, string textColumn = "text")
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext is ".csv" or ".tsv" ? ReadDelimited(path, ext == ".tsv" ? '\t' : ',', labelColumn, textColumn) : ReadJsonl(path, labelColumn, textColumn);
    }

    private static (List<string>, List<string>) ReadJsonl(string path, string labelColumn, string textColumn)
    {
        var texts = new List<string>(); var labels = new List<string>();
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
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new DatasetFormatException(path, line, null, $"expected a JSON object, found {doc.RootElement.ValueKind}.");
                if (!doc.RootElement.TryGetProperty(textColumn, out var t) || t.ValueKind != JsonValueKind.String)
                    throw new DatasetFormatException(path, line, textColumn, "expected a string field.");
                if (!doc.RootElement.TryGetProperty(labelColumn, out var l) || l.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                    throw new DatasetFormatException(path, line, labelColumn, "expected a label (string, number or boolean), found none.");
                var label = l.ValueKind switch
                {
                    JsonValueKind.String => l.GetString()!,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => l.GetRawText(),
                    _ => throw new DatasetFormatException(path, line, labelColumn, $"expected a string, number or boolean, found {l.ValueKind}."),
                };
                if (t.GetString()!.Length == 0) continue;
                texts.Add(t.GetString()!); labels.Add(label);
            }
        }
        return (texts, labels);
    }

    private static (List<string>, List<string>) ReadDelimited(string path, char separator, string labelColumn, string textColumn)
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
        int ti = header.IndexOf(textColumn), li = header.IndexOf(labelColumn);
        if (ti < 0) throw new DatasetFormatException(path, 1, textColumn, $"expected a column '{textColumn}', found {string.Join(", ", header)}.");
        if (li < 0) throw new DatasetFormatException(path, 1, labelColumn, $"expected a column '{labelColumn}', found {string.Join(", ", header)}.");
        while (true)
        {
            try { if (!csv.Read(record)) break; }
            catch (CsvFormatException ex) { throw new DatasetFormatException(path, ex.Line, null, ex.Reason, ex); }
            if (record.Count == 1 && record[0].Length == 0) continue;
            if (record.Count <= Math.Max(ti, li))
                throw new DatasetFormatException(path, csv.RecordLine, null, $"expected at least {Math.Max(ti, li) + 1} fields, found {record.Count.ToString(CultureInfo.InvariantCulture)}.");
            if (record[ti].Length == 0) continue;
            texts.Add(record[ti]); labels.Add(record[li]);
        }
        return (texts, labels);
    }
}
