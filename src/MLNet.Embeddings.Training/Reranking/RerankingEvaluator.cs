using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Training.Reranking;

/// <summary>
/// Scores each query's candidates (its positives and negatives) with a cross-encoder and reports how well the
/// positives rank: mrr@10, ndcg@10, map@10, recall@1/10 (sentence-transformers' CrossEncoderRerankingEvaluator on
/// given candidates). Primary metric: ndcg@10.
/// </summary>
public sealed class RerankingEvaluator
{
    readonly List<(string Query, string[] Docs, HashSet<int> Relevant)> _items = new();

    /// <summary>Uses rows with a query, positives and negatives (rows without negatives are skipped).</summary>
    public RerankingEvaluator(IEnumerable<TrainingExample> rows)
    {
        foreach (var r in rows)
        {
            if (r.Pos.Count == 0 || r.Neg.Count == 0) continue;
            var docs = r.Pos.Concat(r.Neg).ToArray();
            _items.Add((r.Query, docs, Enumerable.Range(0, r.Pos.Count).ToHashSet()));
        }
    }

    /// <summary>The name of the metric "best model" follows.</summary>
    public const string PrimaryMetric = "ndcg@10";

    /// <summary>Queries evaluated.</summary>
    public int Count => _items.Count;

    /// <summary>Ranks every query's candidates with <paramref name="model"/> and averages the metrics.</summary>
    public Dictionary<string, double> Evaluate(CrossEncoder model, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
    {
        var pairs = _items.SelectMany(i => i.Docs.Select(d => (i.Query, d))).ToArray();
        var logits = model.PredictLogits(pairs, options, cancellationToken);
        var rankings = new List<IReadOnlyList<int>>(); var relevant = new List<IReadOnlySet<int>>();
        int o = 0;
        foreach (var (_, docs, rel) in _items)
        {
            int off = o;
            rankings.Add(Enumerable.Range(0, docs.Length).OrderByDescending(i => logits[off + i][^1]).ThenBy(i => i).ToArray());
            relevant.Add(rel);
            o += docs.Length;
        }
        var all = RetrievalMetrics.Compute(rankings, relevant, [1, 10]);
        return new Dictionary<string, double>
        {
            ["mrr@10"] = all["mrr@10"], ["ndcg@10"] = all["ndcg@10"], ["map@10"] = all["map@10"],
            ["recall@1"] = all["recall@1"], ["recall@10"] = all["recall@10"],
        };
    }
}
