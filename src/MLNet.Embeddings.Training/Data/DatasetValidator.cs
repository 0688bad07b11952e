namespace MLNet.Embeddings.Training.Data;

/// <summary>
/// Checks a training file and collects every problem rather than stopping at the first: invalid JSON, missing
/// field, wrong type, empty text or empty <c>pos</c>, non-finite scores, score lists whose length does not match
/// their text list (all as the reader would reject them), plus rows the reader accepts but training should not
/// see: a query equal to one of its positives, a positive also listed as a negative, and repeated negatives
/// (texts compared after <see cref="TextNormalizer.Key"/>: NFKC, whitespace collapsed, case-insensitive).
/// </summary>
public static class DatasetValidator
{
    /// <summary>Validates <paramref name="path"/> (JSONL or .txt).</summary>
    public static ValidationReport Validate(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) throw new DatasetFormatException(path, 0, null, "file not found");
        using var reader = TrainingDataReader.OpenText(path);
        return Validate(reader, path, TrainingDataReader.IsTextFile(path), cancellationToken);
    }

    /// <summary>Validates an open reader; <paramref name="sourceName"/> goes into the report.</summary>
    public static ValidationReport Validate(TextReader reader, string sourceName, bool plainText = false, CancellationToken cancellationToken = default)
    {
        var report = new ValidationReport { Path = sourceName };
        string? line;
        int lineNo = 0;
        var problems = new List<DatasetProblem>();
        while ((line = reader.ReadLine()) is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            report.Rows++;
            if (plainText) continue;
            problems.Clear();
            var ex = TrainingDataReader.ParseJsonLine(line, lineNo, problems);
            if (ex is not null) CheckRow(ex, problems);
            if (problems.Count == 0) continue;
            report.RowsWithProblems++;
            report.ProblemCount += problems.Count;
            foreach (var p in problems)
                if (report.Problems.Count < DatasetImporter.MaxListedProblems) report.Problems.Add(p);
        }
        return report;
    }

    /// <summary>Adds the content problems of one parsed row to <paramref name="problems"/>.</summary>
    public static void CheckRow(TrainingExample ex, List<DatasetProblem> problems)
    {
        var q = TextNormalizer.Key(ex.Query);
        var pos = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < ex.Pos.Count; i++)
        {
            var k = TextNormalizer.Key(ex.Pos[i]);
            if (k == q) problems.Add(new DatasetProblem(ex.Line, $"pos[{i}]", "positive equals the query"));
            pos.Add(k);
        }
        var neg = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < ex.Neg.Count; i++)
        {
            var k = TextNormalizer.Key(ex.Neg[i]);
            if (pos.Contains(k)) problems.Add(new DatasetProblem(ex.Line, $"neg[{i}]", "negative is also listed as a positive"));
            else if (k == q) problems.Add(new DatasetProblem(ex.Line, $"neg[{i}]", "negative equals the query"));
            if (!neg.Add(k)) problems.Add(new DatasetProblem(ex.Line, $"neg[{i}]", "negative repeated in the same row"));
        }
    }
}
