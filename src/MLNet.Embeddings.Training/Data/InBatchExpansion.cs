namespace MLNet.Embeddings.Training.Data;

/// <summary>
/// Makes in-batch negatives explicit, as the seeds' "asymmetric" and "symmetric" expansions: rows are grouped in
/// batches of <c>batchSize</c> (in order, or shuffled with a seed) and every row gets the first positive of every
/// other row of its batch as a negative (asymmetric: query → passage tasks); symmetric additionally adds the other
/// rows' queries (for tasks where queries and passages are the same kind of text, e.g. STS / paraphrase).
/// A text equal to the row's own query or positives is never added.
/// </summary>
public static class InBatchExpansion
{
    /// <summary>Returns new rows with the in-batch negatives appended.</summary>
    public static List<TrainingExample> Expand(IReadOnlyList<TrainingExample> rows, int batchSize, bool symmetric = false, int? shuffleSeed = null)
    {
        if (batchSize < 2) throw new ArgumentException("batchSize must be at least 2");
        var order = Enumerable.Range(0, rows.Count).ToArray();
        if (shuffleSeed is { } seed) new Random(seed).Shuffle(order);
        var result = new TrainingExample[rows.Count];
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var batch = order.Skip(start).Take(batchSize).ToArray();
            foreach (int i in batch)
            {
                var r = rows[i];
                var own = r.Pos.Append(r.Query).Concat(r.Neg).Select(TextNormalizer.Key).ToHashSet(StringComparer.Ordinal);
                var copy = new TrainingExample
                {
                    Query = r.Query, Pos = new(r.Pos), Neg = new(r.Neg), Prompt = r.Prompt, Type = r.Type, Score = r.Score, Label = r.Label, Line = r.Line,
                    PosScores = r.PosScores, Extra = r.Extra,
                };
                foreach (int j in batch)
                {
                    if (j == i) continue;
                    if (own.Add(TextNormalizer.Key(rows[j].Pos[0]))) copy.Neg.Add(rows[j].Pos[0]);
                    if (symmetric && own.Add(TextNormalizer.Key(rows[j].Query))) copy.Neg.Add(rows[j].Query);
                }
                copy.NegScores = null;   // scores no longer align with the longer list
                result[i] = copy;
            }
        }
        return result.ToList();
    }
}
