using System.Text.Json;
using MLNet.Embeddings.Data;

namespace MLNet.Embeddings.Training.Data;

/// <summary>
/// Turns a CSV, TSV or JSONL table into training rows with a column mapping (e.g. question → query,
/// context → pos), streaming row by row so memory stays flat for any file size. Rows whose query or all
/// positives are empty, or which lack a mapped column, are skipped and reported with their line number.
/// </summary>
public static class DatasetImporter
{
    /// <summary>Most skipped rows listed individually in the report (all are counted).</summary>
    public const int MaxListedProblems = 10_000;

    /// <summary>Imports <paramref name="inputPath"/> into the JSONL file <paramref name="outputPath"/> (written atomically).</summary>
    public static ImportReport Import(string inputPath, string outputPath, ImportOptions options, CancellationToken cancellationToken = default)
    {
        var report = new ImportReport();
        using var w = new TrainingDataWriter(outputPath);
        foreach (var row in ReadRows(inputPath, options, report, cancellationToken)) w.Write(row);
        w.Commit();
        return report;
    }

    /// <summary>Streams the mapped rows; skipped rows are recorded in <paramref name="report"/>.</summary>
    public static IEnumerable<TrainingExample> ReadRows(string inputPath, ImportOptions options, ImportReport report, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(options.QueryColumn)) throw new ArgumentException("ImportOptions.QueryColumn is required");
        if (options.PosColumns.Count == 0) throw new ArgumentException("ImportOptions.PosColumns needs at least one column");
        if (!File.Exists(inputPath)) throw new DatasetFormatException(inputPath, 0, null, "file not found");
        var format = options.Format == ImportFormat.Auto ? FormatOf(inputPath) : options.Format;
        var rows = format == ImportFormat.Jsonl ? ReadJsonl(inputPath, options, report) : ReadTable(inputPath, format, options, report);
        foreach (var r in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (report.RowsRead % 10_000 == 0) options.Progress?.Report(report.RowsRead);
            report.RowsWritten++;
            yield return r;
        }
        options.Progress?.Report(report.RowsRead);
    }

    /// <summary>The format implied by a file's extension.</summary>
    public static ImportFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => ImportFormat.Csv,
        ".tsv" or ".tab" => ImportFormat.Tsv,
        _ => ImportFormat.Jsonl,
    };

    private static IEnumerable<TrainingExample> ReadTable(string path, ImportFormat format, ImportOptions o, ImportReport report)
    {
        char delim = format == ImportFormat.Tsv ? '\t' : ',';
        bool quoting = o.Quoting ?? format == ImportFormat.Csv;
        using var csv = new CsvRecordReader(TrainingDataReader.OpenText(path), delim, quoting);
        var fields = new List<string>();
        int[] q, pos, neg, keep, score;
        if (o.HasHeader)
        {
            if (!Next(csv, fields, path)) throw new DatasetFormatException(path, 1, null, "empty file: expected a header row");
            var header = fields.Select(f => f.Trim()).ToList();
            int Col(string name)
            {
                int i = header.IndexOf(name);
                if (i < 0) i = header.FindIndex(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
                if (i < 0) throw new DatasetFormatException(path, csv.RecordLine, name, $"column not found; the header has: {string.Join(", ", header)}");
                return i;
            }
            q = [Col(o.QueryColumn)];
            pos = o.PosColumns.Select(Col).ToArray();
            neg = o.NegColumns.Select(Col).ToArray();
            keep = o.KeepColumns.Select(Col).ToArray();
            score = o.ScoreColumn is { } sc ? [Col(sc)] : [];
        }
        else
        {
            int Col(string name) => int.TryParse(name, out var i) && i >= 0 ? i
                : throw new DatasetFormatException(path, 0, name, "without a header, columns are 0-based indices");
            q = [Col(o.QueryColumn)];
            pos = o.PosColumns.Select(Col).ToArray();
            neg = o.NegColumns.Select(Col).ToArray();
            keep = o.KeepColumns.Select(Col).ToArray();
            score = o.ScoreColumn is { } sc ? [Col(sc)] : [];
        }
        while (Next(csv, fields, path))
        {
            if (fields.Count == 1 && fields[0].Length == 0) continue;   // blank line
            report.RowsRead++;
            int line = csv.RecordLine;
            string? Get(int col) => col < fields.Count ? fields[col] : null;
            var ex = Build(line, o, report,
                query: (o.QueryColumn, Get(q[0])),
                pos: pos.Select((c, k) => (o.PosColumns[k], Get(c))).ToList(),
                neg: neg.Select((c, k) => (o.NegColumns[k], Get(c))).ToList(),
                keep: keep.Select((c, k) => (o.KeepColumns[k], Get(c))).ToList(),
                fieldCount: fields.Count, score: score.Length == 0 ? null : (o.ScoreColumn!, Get(score[0])));
            if (ex is not null) yield return ex;
        }
    }

    private static bool Next(CsvRecordReader csv, List<string> fields, string path)
    {
        try { return csv.Read(fields); }
        catch (CsvFormatException e) { throw new DatasetFormatException(path, e.Line, null, e.Reason, e); }
    }

    private static IEnumerable<TrainingExample> ReadJsonl(string path, ImportOptions o, ImportReport report)
    {
        using var reader = TrainingDataReader.OpenText(path);
        string? text;
        int line = 0;
        while ((text = reader.ReadLine()) is not null)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            report.RowsRead++;
            using var doc = JsonLinesReader.Parse(text, out string? error);
            if (doc is null)
            {
                Skip(report, new DatasetProblem(line, null, error!));
                continue;
            }
            TrainingExample? ex;
            {
                var root = doc.RootElement;
                List<(string, string?)> Vals(List<string> cols)
                {
                    var list = new List<(string, string?)>();
                    foreach (var c in cols)
                    {
                        if (!root.TryGetProperty(c, out var v) || v.ValueKind == JsonValueKind.Null) list.Add((c, null));
                        else if (v.ValueKind == JsonValueKind.Array)
                        {
                            bool any = false;
                            foreach (var item in v.EnumerateArray())
                            {
                                list.Add((c, item.ValueKind == JsonValueKind.String ? item.GetString() : item.GetRawText()));
                                any = true;
                            }
                            if (!any) list.Add((c, ""));
                        }
                        else list.Add((c, v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()));
                    }
                    return list;
                }
                var qv = Vals([o.QueryColumn]);
                ex = Build(line, o, report, qv[0], Vals(o.PosColumns), Vals(o.NegColumns), Vals(o.KeepColumns), fieldCount: int.MaxValue,
                    score: o.ScoreColumn is { } sc ? Vals([sc])[0] : null);
            }
            if (ex is not null) yield return ex;
        }
    }

    private static TrainingExample? Build(int line, ImportOptions o, ImportReport report,
        (string Name, string? Value) query, List<(string Name, string? Value)> pos, List<(string Name, string? Value)> neg,
        List<(string Name, string? Value)> keep, int fieldCount, (string Name, string? Value)? score = null)
    {
        if (query.Value is null)
            return Skip(report, new DatasetProblem(line, query.Name, fieldCount == int.MaxValue ? "missing column" : $"missing column (row has only {fieldCount} fields)"));
        if (string.IsNullOrWhiteSpace(query.Value))
            return Skip(report, new DatasetProblem(line, query.Name, "empty query"));
        var ex = new TrainingExample { Query = query.Value.Trim(), Line = line, Prompt = o.Prompt, Type = o.Type };
        if (score is var (scoreName, scoreText))
        {
            if (!float.TryParse(scoreText?.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                return Skip(report, new DatasetProblem(line, scoreName, scoreText is null ? "missing column" : $"expected a number, found '{scoreText}'"));
            ex.Score = value;
        }
        string? emptyPos = null;
        foreach (var (name, value) in pos)
        {
            if (value is null) return Skip(report, new DatasetProblem(line, name, "missing column"));
            if (string.IsNullOrWhiteSpace(value)) { emptyPos ??= name; continue; }
            ex.Pos.Add(value.Trim());
        }
        if (ex.Pos.Count == 0) return Skip(report, new DatasetProblem(line, emptyPos, "empty positive"));
        foreach (var (_, value) in neg)
            if (!string.IsNullOrWhiteSpace(value)) ex.Neg.Add(value.Trim());
        foreach (var (name, value) in keep)
        {
            if (value is null) continue;
            ex.Extra ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            ex.Extra[name] = JsonSerializer.SerializeToElement(value);
        }
        return ex;
    }

    private static TrainingExample? Skip(ImportReport report, DatasetProblem p)
    {
        report.RowsSkipped++;
        if (report.Skipped.Count < MaxListedProblems) report.Skipped.Add(p);
        return null;
    }
}
