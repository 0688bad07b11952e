using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Data.Mining;
using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Training.Reranking;

/// <summary>
/// The two-stage search evaluation (sentence-transformers' reranking evaluator on a retriever's candidates): a
/// retriever (a bi-encoder or BM25) takes each query's top K from the corpus, a cross-encoder reorders those K, and
/// mrr@10, ndcg@10, map@10 and recall@1/10/K are reported for the retriever's order (<c>before</c>) and the reranked
/// order (<c>after</c>). Relevant documents the retriever missed count as misses in both.
/// </summary>
public sealed class RetrieveRerankEvaluator
{
    readonly string[] _queries, _corpus;
    readonly HashSet<int>[] _relevant;

    /// <summary>Queries, corpus and judgements from rows: each row's query, its positives relevant, the positives of all rows (and negatives, with <paramref name="includeNegatives"/>) the corpus.</summary>
    public RetrieveRerankEvaluator(IEnumerable<TrainingExample> rows, bool includeNegatives = false)
    {
        var docIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var queryIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var queries = new List<string>(); var corpus = new List<string>(); var relevant = new List<HashSet<int>>();
        int Doc(string text)
        {
            if (!docIds.TryGetValue(text, out int id)) { id = docIds[text] = corpus.Count; corpus.Add(text); }
            return id;
        }
        foreach (var r in rows)
        {
            string text = (r.Prompt ?? "") + r.Query;
            if (!queryIds.TryGetValue(text, out int q)) { q = queryIds[text] = queries.Count; queries.Add(text); relevant.Add(new HashSet<int>()); }
            foreach (var p in r.Pos) relevant[q].Add(Doc(p));
            if (includeNegatives) foreach (var n in r.Neg) Doc(n);
        }
        _queries = queries.ToArray(); _corpus = corpus.ToArray(); _relevant = relevant.ToArray();
        if (_queries.Length == 0) throw new ArgumentException("No rows with a query and a positive; nothing to evaluate.", nameof(rows));
    }

    /// <summary>Number of queries.</summary>
    public int QueryCount => _queries.Length;
    /// <summary>Number of corpus documents.</summary>
    public int CorpusCount => _corpus.Length;

    /// <summary>A retriever over a bi-encoder: exact search under the model's similarity function.</summary>
    public static Func<IReadOnlyList<string>, IReadOnlyList<string>, int, int[][]> DenseRetriever(SentenceEncoder model, int batchSize = 32)
        => (queries, corpus, k) =>
        {
            var c = model.Encode(corpus, new EncodeOptions { BatchSize = batchSize });
            var q = model.Encode(queries, new EncodeOptions { BatchSize = batchSize });
            var hits = Scoring.SemanticSearch.TopK(Tensors.Matrix.FromRows(q), Tensors.Matrix.FromRows(c), k, model.Config.Similarity);
            return hits.Select(h => h.Select(x => x.Index).ToArray()).ToArray();
        };

    /// <summary>A BM25 retriever (the miner's index and defaults).</summary>
    public static Func<IReadOnlyList<string>, IReadOnlyList<string>, int, int[][]> Bm25Retriever(Bm25Options? options = null)
        => (queries, corpus, k) =>
        {
            var index = new Bm25Index(corpus, options);
            return queries.Select(q =>
            {
                var s = index.ScoreAll(q);
                return Enumerable.Range(0, s.Length).Where(i => s[i] > 0).OrderByDescending(i => s[i]).ThenBy(i => i).Take(k).ToArray();
            }).ToArray();
        };

    /// <summary>Retrieves the top <paramref name="topK"/> per query, reranks them with <paramref name="reranker"/>, and returns the metrics before and after.</summary>
    public (Dictionary<string, double> Before, Dictionary<string, double> After) Evaluate(
        Func<IReadOnlyList<string>, IReadOnlyList<string>, int, int[][]> retriever, ICrossEncoder reranker, int topK = 50,
        CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (topK < 1) throw new ConfigurationException("TopK", $"must be at least 1, found {topK}.");
        var retrieved = retriever(_queries, _corpus, Math.Min(topK, _corpus.Length));
        cancellationToken.ThrowIfCancellationRequested();
        var pairs = new List<(string, string)>();
        foreach (var (hits, q) in retrieved.Select((h, i) => (h, i))) foreach (var d in hits) pairs.Add((_queries[q], _corpus[d]));
        var scores = reranker.Predict(pairs, options, cancellationToken);
        var reranked = new int[retrieved.Length][];
        int o = 0;
        for (int q = 0; q < retrieved.Length; q++)
        {
            var hits = retrieved[q]; int off = o;
            reranked[q] = Enumerable.Range(0, hits.Length).OrderByDescending(i => scores[off + i]).ThenBy(i => i).Select(i => hits[i]).ToArray();
            o += hits.Length;
        }
        return (Metrics(retrieved, topK), Metrics(reranked, topK));
    }

    Dictionary<string, double> Metrics(int[][] rankings, int topK)
    {
        var all = RetrievalMetrics.Compute(rankings.Select(r => (IReadOnlyList<int>)r).ToArray(), _relevant.Select(r => (IReadOnlySet<int>)r).ToArray(), [1, 10, topK]);
        var result = new Dictionary<string, double>
        {
            ["mrr@10"] = all["mrr@10"], ["ndcg@10"] = all["ndcg@10"], ["map@10"] = all["map@10"],
            ["recall@1"] = all["recall@1"], ["recall@10"] = all["recall@10"],
        };
        result[$"recall@{topK}"] = all[$"recall@{topK}"];
        return result;
    }
}
