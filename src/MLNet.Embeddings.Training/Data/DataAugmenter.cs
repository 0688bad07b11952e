using System.Text.Json;

namespace MLNet.Embeddings.Training.Data;

/// <summary>
/// Easy Data Augmentation (EDA: synonym replacement, random insertion, random swap, random deletion) on whitespace
/// tokens. Each augmented copy follows its source row and is marked with <c>"augmented": "&lt;operation&gt;"</c>
/// in its extra fields. Augment the training split only, after splitting (<see cref="DatasetSplitter"/>), so no
/// variant of a validation or test text ends up in training. Deterministic for a seed.
/// </summary>
public static class DataAugmenter
{
    /// <summary>Augments a file into another (written atomically).</summary>
    public static AugmentReport Augment(string inputPath, string outputPath, AugmentOptions? options = null, CancellationToken cancellationToken = default)
    {
        var report = new AugmentReport();
        using var w = new TrainingDataWriter(outputPath);
        foreach (var r in Augment(TrainingDataReader.Read(inputPath), options, report, cancellationToken)) w.Write(r);
        w.Commit();
        return report;
    }

    /// <summary>Streams originals (unless disabled) and their augmented copies.</summary>
    public static IEnumerable<TrainingExample> Augment(IEnumerable<TrainingExample> rows, AugmentOptions? options, AugmentReport report, CancellationToken cancellationToken = default)
    {
        var o = options ?? new AugmentOptions();
        if (o.Rate is < 0 or > 1) throw new ArgumentException("Rate must be in [0, 1]");
        var rng = new Random(o.Seed);
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            report.RowsRead++;
            if (o.KeepOriginal) { report.RowsWritten++; yield return row; }
            foreach (var op in o.Operations)
                for (int c = 0; c < o.CopiesPerOperation; c++)
                {
                    var q = Apply(op, row.Query, o, rng);
                    var pos = o.AugmentPositives ? row.Pos.Select(p => Apply(op, p, o, rng)).ToList() : new List<string>(row.Pos);
                    if (q == row.Query && pos.SequenceEqual(row.Pos)) { report.Unchanged++; continue; }
                    var copy = new TrainingExample
                    {
                        Query = q, Pos = pos, Neg = new List<string>(row.Neg), Prompt = row.Prompt, Type = row.Type, Score = row.Score, Label = row.Label,
                        Line = row.Line, PosScores = o.AugmentPositives ? null : row.PosScores, NegScores = row.NegScores,
                        Extra = row.Extra is null ? new(StringComparer.Ordinal) : new Dictionary<string, JsonElement>(row.Extra),
                    };
                    var name = op.ToString().ToLowerInvariant();
                    copy.Extra!["augmented"] = JsonSerializer.SerializeToElement(name);
                    report.Augmented[name] = report.Augmented.GetValueOrDefault(name) + 1;
                    report.RowsWritten++;
                    yield return copy;
                }
        }
    }

    /// <summary>Applies one operation to a text.</summary>
    public static string Apply(AugmentOperation op, string text, AugmentOptions options, Random rng)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (words.Count == 0) return text;
        int n = Math.Max(1, (int)Math.Round(options.Rate * words.Count));
        var th = options.Thesaurus;
        switch (op)
        {
            case AugmentOperation.Synonym:
            {
                if (th is null) return text;
                var idx = Enumerable.Range(0, words.Count).Where(i => th.SynonymsOf(Bare(words[i])).Count > 0).ToArray();
                rng.Shuffle(idx);
                foreach (var i in idx.Take(n))
                {
                    var syn = th.SynonymsOf(Bare(words[i]));
                    words[i] = words[i].Replace(Bare(words[i]), syn[rng.Next(syn.Count)]);
                }
                break;
            }
            case AugmentOperation.Insert:
                for (int k = 0; k < n; k++)
                {
                    var src = Bare(words[rng.Next(words.Count)]);
                    var syn = th?.SynonymsOf(src) ?? [];
                    var word = syn.Count > 0 ? syn[rng.Next(syn.Count)] : src;
                    if (word.Length == 0) continue;
                    words.Insert(rng.Next(words.Count + 1), word);
                }
                break;
            case AugmentOperation.Swap:
                if (words.Count < 2) return text;
                for (int k = 0; k < n; k++)
                {
                    int a = rng.Next(words.Count), b = rng.Next(words.Count - 1);
                    if (b >= a) b++;
                    (words[a], words[b]) = (words[b], words[a]);
                }
                break;
            case AugmentOperation.Delete:
            {
                if (words.Count == 1) return text;
                var kept = words.Where(_ => rng.NextDouble() >= options.Rate).ToList();
                words = kept.Count > 0 ? kept : [words[rng.Next(words.Count)]];
                break;
            }
        }
        return string.Join(' ', words);
    }

    /// <summary>The word without surrounding punctuation (so "revenue," matches "revenue").</summary>
    private static string Bare(string w) => w.Trim(',', '.', ';', ':', '!', '?', '"', '\'', '(', ')', '[', ']');
}
