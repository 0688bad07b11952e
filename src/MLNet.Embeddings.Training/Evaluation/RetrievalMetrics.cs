namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Ranking metrics over one ranked list of document ids and the set of relevant ids, with binary relevance.
/// Definitions follow sentence-transformers' <c>InformationRetrievalEvaluator</c>: precision@k divides by k,
/// recall@k by the number of relevant documents, nDCG@k uses a log2 discount and an ideal DCG built from
/// min(k, #relevant) hits, MAP@k sums the precision at each hit and divides by min(k, #relevant).
/// </summary>
public static class RetrievalMetrics
{
    /// <summary>The metric families, in the order <see cref="Compute{T}"/> reports them.</summary>
    public static readonly IReadOnlyList<string> Names = new[] { "recall", "precision", "mrr", "ndcg", "map" };

    /// <summary>Fraction of the relevant documents found in the first <paramref name="k"/> results.</summary>
    public static double Recall<T>(IReadOnlyList<T> ranking, IReadOnlySet<T> relevant, int k)
    {
        Check(relevant, k);
        return Hits(ranking, relevant, k) / (double)relevant.Count;
    }

    /// <summary>Fraction of the first <paramref name="k"/> slots that hold a relevant document (divides by k even when fewer results exist).</summary>
    public static double Precision<T>(IReadOnlyList<T> ranking, IReadOnlySet<T> relevant, int k)
    {
        Check(relevant, k);
        return Hits(ranking, relevant, k) / (double)k;
    }

    /// <summary>1 / rank of the first relevant document within the first <paramref name="k"/> results, else 0.</summary>
    public static double ReciprocalRank<T>(IReadOnlyList<T> ranking, IReadOnlySet<T> relevant, int k)
    {
        Check(relevant, k);
        int n = Math.Min(k, ranking.Count);
        for (int i = 0; i < n; i++)
            if (relevant.Contains(ranking[i])) return 1.0 / (i + 1);
        return 0;
    }

    /// <summary>Normalised discounted cumulative gain at <paramref name="k"/> (binary gains, log2(rank + 1) discount).</summary>
    public static double Ndcg<T>(IReadOnlyList<T> ranking, IReadOnlySet<T> relevant, int k)
    {
        Check(relevant, k);
        int n = Math.Min(k, ranking.Count);
        double dcg = 0;
        for (int i = 0; i < n; i++)
            if (relevant.Contains(ranking[i])) dcg += 1.0 / Math.Log2(i + 2);
        double ideal = 0;
        int m = Math.Min(k, relevant.Count);
        for (int i = 0; i < m; i++) ideal += 1.0 / Math.Log2(i + 2);
        return dcg / ideal;
    }

    /// <summary>Average precision at <paramref name="k"/>: the sum of precision@rank over the ranks of hits, divided by min(k, #relevant).</summary>
    public static double AveragePrecision<T>(IReadOnlyList<T> ranking, IReadOnlySet<T> relevant, int k)
    {
        Check(relevant, k);
        int n = Math.Min(k, ranking.Count);
        int hits = 0;
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            if (!relevant.Contains(ranking[i])) continue;
            hits++;
            sum += hits / (double)(i + 1);
        }
        return sum / Math.Min(k, relevant.Count);
    }

    /// <summary>
    /// Mean of every metric over the queries, for every k: keys <c>recall@k</c>, <c>precision@k</c>, <c>mrr@k</c>,
    /// <c>ndcg@k</c>, <c>map@k</c> (families in that order, k ascending within each).
    /// </summary>
    /// <param name="rankings">Per query, document ids best first (at least max(k) long when the corpus allows).</param>
    /// <param name="relevant">Per query, the relevant ids (non-empty).</param>
    /// <param name="ks">Cut-offs, each ≥ 1.</param>
    public static Dictionary<string, double> Compute<T>(IReadOnlyList<IReadOnlyList<T>> rankings, IReadOnlyList<IReadOnlySet<T>> relevant, IReadOnlyList<int> ks)
    {
        if (rankings.Count != relevant.Count)
            throw new ArgumentException($"Expected one relevant set per ranking ({rankings.Count}), found {relevant.Count}.", nameof(relevant));
        if (ks.Count == 0) throw new ArgumentException("Expected at least one k.", nameof(ks));
        var sorted = ks.Distinct().OrderBy(k => k).ToArray();
        var result = new Dictionary<string, double>();
        int q = rankings.Count;
        foreach (var name in Names)
            foreach (int k in sorted)
            {
                double sum = 0;
                for (int i = 0; i < q; i++)
                    sum += name switch
                    {
                        "recall" => Recall(rankings[i], relevant[i], k),
                        "precision" => Precision(rankings[i], relevant[i], k),
                        "mrr" => ReciprocalRank(rankings[i], relevant[i], k),
                        "ndcg" => Ndcg(rankings[i], relevant[i], k),
                        _ => AveragePrecision(rankings[i], relevant[i], k),
                    };
                result[$"{name}@{k}"] = q == 0 ? double.NaN : sum / q;
            }
        return result;
    }

    private static int Hits<T>(IReadOnlyList<T> ranking, IReadOnlySet<T> relevant, int k)
    {
        int n = Math.Min(k, ranking.Count), hits = 0;
        for (int i = 0; i < n; i++)
            if (relevant.Contains(ranking[i])) hits++;
        return hits;
    }

    private static void Check<T>(IReadOnlySet<T> relevant, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (relevant.Count == 0) throw new ArgumentException("Expected at least one relevant document.", nameof(relevant));
    }
}
