using System.Security.Cryptography;
using System.Text;

namespace MLNet.Embeddings.Training.Data;

/// <summary>
/// Cleans a dataset row by row: strips HTML and entities, normalises Unicode (NFKC) and whitespace, optionally
/// lowercases; drops rows left with an empty query or no positive, exact duplicates (same query, positives and
/// negatives, compared case-insensitively after cleaning) and near duplicates (query + positives text with an
/// estimated Jaccard ≥ threshold to an earlier kept row, <see cref="NearDuplicateIndex"/>). The first occurrence
/// is kept. Memory grows with the number of kept rows (a 16-byte hash and, for near duplicates, one MinHash signature each).
/// </summary>
public static class DatasetCleaner
{
    /// <summary>Cleans <paramref name="inputPath"/> into <paramref name="outputPath"/> (written atomically).</summary>
    /// <exception cref="DatasetFormatException">The input has no rows, or cleaning dropped every row (nothing is written).</exception>
    public static CleanReport Clean(string inputPath, string outputPath, CleanOptions? options = null, CancellationToken cancellationToken = default)
    {
        var report = new CleanReport();
        using var w = new TrainingDataWriter(outputPath);
        foreach (var row in Clean(TrainingDataReader.Read(inputPath), options, report, cancellationToken)) w.Write(row);
        if (report.RowsRead == 0) throw new DatasetFormatException(inputPath, 0, null, "expected training rows, found none (the file is empty).");
        if (report.RowsWritten == 0)
            throw new DatasetFormatException(inputPath, 0, null, $"every one of the {report.RowsRead} rows was dropped ({string.Join(", ", report.DroppedByReason.Select(kv => $"{kv.Key} {kv.Value}"))}); nothing to write.");
        w.Commit();
        return report;
    }

    /// <summary>Streams cleaned rows; what was dropped and why goes to <paramref name="report"/>.</summary>
    public static IEnumerable<TrainingExample> Clean(IEnumerable<TrainingExample> rows, CleanOptions? options, CleanReport report, CancellationToken cancellationToken = default)
    {
        var o = options ?? new CleanOptions();
        var exact = new Dictionary<UInt128, int>();
        var near = o.DropNearDuplicates ? new NearDuplicateIndex(o.NearDuplicates) : null;
        var nearLines = new List<int>();
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            report.RowsRead++;
            if (report.RowsRead % 10_000 == 0) o.Progress?.Report(report.RowsRead);
            var c = CleanRow(row, o, report);
            if (c.Query.Length == 0 || c.Pos.Count == 0) { Drop(report, new DroppedRow(row.Line, "empty")); continue; }
            if (o.DropExactDuplicates)
            {
                var h = RowHash(c);
                if (exact.TryGetValue(h, out var firstLine)) { Drop(report, new DroppedRow(row.Line, "exact-duplicate", firstLine)); continue; }
                exact[h] = row.Line;
            }
            if (near is not null)
            {
                var sig = near.Signature(c.Query + "\n" + string.Join("\n", c.Pos));
                if (near.FindBest(sig) is { } best)
                {
                    Drop(report, new DroppedRow(row.Line, "near-duplicate", nearLines[best.Id], Math.Round(best.Similarity, 4)));
                    continue;
                }
                near.Add(sig);
                nearLines.Add(row.Line);
            }
            report.RowsWritten++;
            yield return c;
        }
        o.Progress?.Report(report.RowsRead);
    }

    private static TrainingExample CleanRow(TrainingExample row, CleanOptions o, CleanReport report)
    {
        bool changed = false;
        string N(string s)
        {
            var n = TextNormalizer.Normalize(s, o);
            if (!changed && !string.Equals(n, s, StringComparison.Ordinal)) changed = true;
            return n;
        }
        var c = new TrainingExample
        {
            Query = N(row.Query), Prompt = row.Prompt, Type = row.Type, Score = row.Score, Label = row.Label, Line = row.Line, Extra = row.Extra,
        };
        // keep scores aligned with the texts that survive
        for (int i = 0; i < row.Pos.Count; i++)
        {
            var p = N(row.Pos[i]);
            if (p.Length == 0) continue;
            c.Pos.Add(p);
            if (row.PosScores is not null) (c.PosScores ??= new()).Add(row.PosScores[i]);
        }
        for (int i = 0; i < row.Neg.Count; i++)
        {
            var n = N(row.Neg[i]);
            if (n.Length == 0) { report.EmptyNegativesRemoved++; continue; }
            c.Neg.Add(n);
            if (row.NegScores is not null) (c.NegScores ??= new()).Add(row.NegScores[i]);
        }
        if (row.PosScores is not null) c.PosScores ??= new();
        if (row.NegScores is not null) c.NegScores ??= new();
        if (changed) report.RowsChanged++;
        return c;
    }

    private static UInt128 RowHash(TrainingExample c)
    {
        var sb = new StringBuilder();
        sb.Append(TextNormalizer.Key(c.Query)).Append('\u0001');
        foreach (var p in c.Pos) sb.Append(TextNormalizer.Key(p)).Append('\u0002');
        sb.Append('\u0001');
        foreach (var n in c.Neg) sb.Append(TextNormalizer.Key(n)).Append('\u0002');
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()), hash);
        return new UInt128(BitConverter.ToUInt64(hash), BitConverter.ToUInt64(hash[8..]));
    }

    private static void Drop(CleanReport report, DroppedRow d)
    {
        report.DroppedByReason[d.Reason] = report.DroppedByReason.GetValueOrDefault(d.Reason) + 1;
        if (report.Dropped.Count < DatasetImporter.MaxListedProblems) report.Dropped.Add(d);
    }
}
