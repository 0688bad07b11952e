using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Reranking;

/// <summary>Turns the rows our data commands write (<c>query</c>, <c>pos</c>, <c>neg</c>, <c>pos_scores</c>, <c>neg_scores</c>; scored pairs) into reranker groups.</summary>
public static class RerankerData
{
    /// <summary>
    /// The groups <paramref name="loss"/> trains on.
    /// BCE: every positive of a row is labelled 1 and its negatives (the first <paramref name="negativesPerRow"/>, or all) 0;
    /// a scored pair <c>(sentence1, sentence2, score|label)</c> gives its score (0..1) or label.
    /// Listwise / MarginMSE: the first positive and exactly <paramref name="negativesPerRow"/> negatives (null: the count
    /// most rows have): rows with more use their first ones, rows with fewer repeat theirs by seeded sampling, rows with none
    /// (e.g. all dropped as likely false negatives) are skipped and counted in <paramref name="log"/>.
    /// </summary>
    /// <exception cref="DatasetFormatException">A row lacks what the loss needs (a negative, teacher scores, a 0..1 score); names the file, line and field.</exception>
    public static List<RerankerGroup> Build(IEnumerable<TrainingExample> rows, RerankerLoss loss, int? negativesPerRow, int seed, string source, Action<string>? log = null)
    {
        var list = rows.ToList();
        var groups = new List<RerankerGroup>(list.Count);
        if (loss == RerankerLoss.Bce)
        {
            foreach (var r in list)
            {
                if (r.Label is not null || r.Score is not null)
                {
                    float y = r.Label ?? r.Score!.Value;
                    if (!(y >= 0 && y <= 1)) throw new DatasetFormatException(source, r.Line, r.Label is not null ? "label" : "score", $"binary cross-entropy needs a target between 0 and 1, found {y}.");
                    foreach (var p in r.Pos) groups.Add(new RerankerGroup(r.Query, [p], [y], r.Line));
                    continue;
                }
                var negs = negativesPerRow is { } k ? r.Neg.Take(k) : r.Neg;
                var docs = r.Pos.Concat(negs).ToArray();
                var targets = r.Pos.Select(_ => 1f).Concat(negs.Select(_ => 0f)).ToArray();
                groups.Add(new RerankerGroup(r.Query, docs, targets, r.Line));
            }
            return groups;
        }
        int n = negativesPerRow ?? list.Where(r => r.Neg.Count > 0).GroupBy(r => r.Neg.Count).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).Select(g => g.Key).FirstOrDefault();
        if (n < 1) throw new DatasetFormatException(source, 0, "neg", $"the {LossName(loss)} loss needs hard negatives (field 'neg'); no row has any. Mine some with: mlnet-embed data mine.");
        int skipped = 0;
        foreach (var r in list)
        {
            if (r.Neg.Count == 0) { skipped++; continue; }
            if (loss == RerankerLoss.MarginMse)
            {
                if (r.PosScores is null) throw new DatasetFormatException(source, r.Line, "pos_scores", "MarginMSE needs teacher scores; write them with: mlnet-embed data score --teacher MODEL.");
                if (r.NegScores is null) throw new DatasetFormatException(source, r.Line, "neg_scores", "MarginMSE needs teacher scores; write them with: mlnet-embed data score --teacher MODEL.");
            }
            var pick = new int[n];
            if (r.Neg.Count >= n) for (int i = 0; i < n; i++) pick[i] = i;
            else
            {
                var rng = new Random(unchecked((seed * 1_000_003 + r.Line) * 31 + groups.Count));
                for (int i = 0; i < n; i++) pick[i] = i < r.Neg.Count ? i : rng.Next(r.Neg.Count);
            }
            var docs = new string[n + 1]; var targets = new float[n + 1];
            docs[0] = r.Pos[0];
            if (loss == RerankerLoss.MarginMse) targets[0] = r.PosScores![0];
            for (int i = 0; i < n; i++)
            {
                docs[i + 1] = r.Neg[pick[i]];
                if (loss == RerankerLoss.MarginMse) targets[i + 1] = r.NegScores![pick[i]];
            }
            groups.Add(new RerankerGroup(r.Query, docs, targets, r.Line));
        }
        if (skipped > 0) log?.Invoke($"{skipped} of {list.Count} rows have no negatives and are skipped by the {LossName(loss)} loss");
        return groups;
    }

    static string LossName(RerankerLoss loss) => loss == RerankerLoss.Listwise ? "listwise" : "margin-mse";
}
