namespace MLNet.Embeddings.Training.Data;

/// <summary>
/// Counts texts shared between dataset files (e.g. train / val / test): for every pair of files, how many distinct
/// texts of the second occur in the first, exactly (after <see cref="TextNormalizer.Key"/>) or as a near duplicate
/// (MinHash LSH, <see cref="NearDuplicateOptions.Threshold"/>). Texts are queries and positives, and negatives when asked.
/// </summary>
public static class LeakageChecker
{
    /// <summary>Checks every pair of <paramref name="paths"/>.</summary>
    public static LeakageReport Check(IReadOnlyList<string> paths, bool includeNegatives = false, NearDuplicateOptions? nearDuplicates = null,
        CancellationToken cancellationToken = default)
    {
        if (paths.Count < 2) throw new ArgumentException("leakage needs at least two files");
        var report = new LeakageReport();
        var files = new List<(Dictionary<string, int> Texts, long Rows)>();
        foreach (var p in paths)
        {
            var texts = new Dictionary<string, int>(StringComparer.Ordinal);   // key → first line
            long rows = 0;
            foreach (var r in TrainingDataReader.Read(p))
            {
                rows++;
                void Add(string t) => texts.TryAdd(TextNormalizer.Key(t), r.Line);
                Add(r.Query);
                foreach (var x in r.Pos) Add(x);
                if (includeNegatives) foreach (var x in r.Neg) Add(x);
            }
            files.Add((texts, rows));
            report.Files.Add(new LeakageFile(p, rows, texts.Count));
        }
        for (int a = 0; a < files.Count; a++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var index = new NearDuplicateIndex(nearDuplicates);
            var lines = new List<int>();
            foreach (var (k, line) in files[a].Texts) { index.Add(index.SignatureOfKey(k)); lines.Add(line); }
            for (int b = a + 1; b < files.Count; b++)
            {
                var pair = new LeakagePair { A = paths[a], B = paths[b] };
                foreach (var (k, line) in files[b].Texts)
                {
                    if (files[a].Texts.TryGetValue(k, out int la))
                    {
                        pair.ExactOverlap++;
                        if (pair.Examples.Count < 20) pair.Examples.Add(new LeakageExample(line, la, "exact", 1));
                        continue;
                    }
                    if (index.FindBest(index.SignatureOfKey(k)) is { } best)
                    {
                        pair.NearDuplicateOverlap++;
                        if (pair.Examples.Count < 20) pair.Examples.Add(new LeakageExample(line, lines[best.Id], "near", Math.Round(best.Similarity, 4)));
                    }
                }
                report.Pairs.Add(pair);
            }
        }
        return report;
    }
}
