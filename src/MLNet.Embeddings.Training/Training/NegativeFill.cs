using System.Globalization;
using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training;

/// <summary>
/// FlagEmbedding's group semantics for hard negatives: every row trains with the same number of negatives. Rows with
/// more use their first ones; rows with fewer are filled by seeded sampling (with replacement) from their own
/// negatives, and a row with none from the other rows' negatives, never with one of its own positives or its query.
/// When the loss needs teacher scores, a row with no negatives is skipped instead (a borrowed negative has no teacher
/// score), as the reranker trainer skips such rows. The rows given are not changed: filled rows are copies.
/// </summary>
internal sealed class NegativeFill
{
    /// <summary>Negatives per row used for training.</summary>
    public int PerRow { get; private init; }
    /// <summary>Rows whose negatives were topped up from their own ones.</summary>
    public int FilledFromOwn { get; private init; }
    /// <summary>Rows without negatives that got other rows' negatives.</summary>
    public int FilledFromOthers { get; private init; }
    /// <summary>Rows without negatives left out because the loss needs teacher scores for every negative.</summary>
    public int Skipped { get; private init; }
    /// <summary>The rows to train on (the input list when nothing was filled).</summary>
    public IReadOnlyList<TrainingExample> Rows { get; private init; } = [];

    /// <summary>The count most rows have (ties: the larger one), with how many rows have it.</summary>
    public static (int Count, int Rows) MostCommon(IReadOnlyList<TrainingExample> rows) =>
        rows.GroupBy(r => r.Neg.Count).Select(g => (Count: g.Key, Rows: g.Count()))
            .OrderByDescending(g => g.Rows).ThenByDescending(g => g.Count).First();

    /// <summary>Fills <paramref name="rows"/> to <paramref name="perRow"/> negatives each (teacher scores follow their negatives).</summary>
    /// <exception cref="DatasetFormatException">A row has no negatives and none can be borrowed (no other row has any, or
    /// every candidate is one of its positives).</exception>
    public static NegativeFill Apply(IReadOnlyList<TrainingExample> rows, int perRow, int seed, bool teacherScores, string source)
    {
        if (perRow <= 0 || rows.All(r => r.Neg.Count >= perRow))
            return new NegativeFill { PerRow = Math.Max(0, perRow), Rows = rows };
        var rng = new Random(seed);
        List<string>? pool = null;
        int own = 0, others = 0, skipped = 0;
        var result = new List<TrainingExample>(rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            int have = r.Neg.Count;
            if (have >= perRow) { result.Add(r); continue; }
            int line = r.Line > 0 ? r.Line : i + 1;
            var neg = new List<string>(r.Neg);
            List<float>? scores = r.NegScores is null ? null : new List<float>(r.NegScores);
            if (have > 0)
            {
                while (neg.Count < perRow)
                {
                    int k = rng.Next(have);
                    neg.Add(r.Neg[k]);
                    if (scores is not null && k < r.NegScores!.Count) scores.Add(r.NegScores[k]);
                }
                own++;
            }
            else
            {
                if (teacherScores) { skipped++; continue; }
                pool ??= rows.SelectMany(x => x.Neg).Distinct(StringComparer.Ordinal).ToList();
                var exclude = new HashSet<string>(r.Pos.Select(TextNormalizer.Key), StringComparer.Ordinal) { TextNormalizer.Key(r.Query) };
                var eligible = pool.Where(t => !exclude.Contains(TextNormalizer.Key(t))).ToList();
                if (eligible.Count == 0)
                    throw new DatasetFormatException(source, line, "neg",
                        $"{perRow} negative(s) per row are needed and this row has none; no other row has a negative that is not one of this row's positives.");
                while (neg.Count < perRow) neg.Add(eligible[rng.Next(eligible.Count)]);
                others++;
            }
            result.Add(new TrainingExample
            {
                Query = r.Query, Pos = r.Pos, Neg = neg, PosScores = r.PosScores, NegScores = scores, Prompt = r.Prompt,
                Type = r.Type, Score = r.Score, Label = r.Label, Line = r.Line, Extra = r.Extra,
            });
        }
        return new NegativeFill { PerRow = perRow, FilledFromOwn = own, FilledFromOthers = others, Skipped = skipped, Rows = result };
    }

    /// <summary>The log line: the count used, where it came from, and how many rows were filled.</summary>
    public string Describe(int rowCount, (int Count, int Rows) mostCommon, bool chosen, string option)
    {
        string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
        string why = chosen
            ? $"as set by {option}"
            : $"most rows have {mostCommon.Count}: {N(mostCommon.Rows)} of {N(rowCount)}; set {option} to choose";
        string filled = PerRow == 0 ? "in-batch negatives only"
            : FilledFromOwn + FilledFromOthers == 0 ? "no row needed filling"
            : $"{N(FilledFromOwn + FilledFromOthers)} row(s) filled: {N(FilledFromOwn)} by sampling their own negatives, {N(FilledFromOthers)} without any from other rows' negatives";
        string skipped = Skipped == 0 ? ""
            : $"; {N(Skipped)} row(s) without negatives skipped (the loss needs teacher scores, which other rows' negatives lack for them)";
        return $"hard negatives: {PerRow} per row ({why}); {filled}{skipped}.";
    }
}
