using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Scoring;

/// <summary>
/// Exact top-k search of query vectors over a corpus matrix. Many queries run in parallel, one bounded heap
/// each; few queries split the corpus into chunks searched in parallel, whose heaps are then merged.
/// Results are sorted by score, highest first; equal scores keep the lower corpus index first.
/// </summary>
public static class SemanticSearch
{
    /// <summary>The <paramref name="k"/> most similar corpus rows for each query row (fewer when the corpus is smaller).</summary>
    /// <param name="queries">Query vectors <c>[q × d]</c>.</param>
    /// <param name="corpus">Corpus vectors <c>[n × d]</c>.</param>
    /// <param name="k">How many results per query (≥ 1).</param>
    /// <param name="function">Similarity function (default cosine).</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    public static ScoredIndex[][] TopK(Matrix queries, Matrix corpus, int k, SimilarityFunction function = SimilarityFunction.Cosine,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (corpus.Rows > 0 && queries.Rows > 0) VectorSimilarity.CheckLengths(queries.Cols, corpus.Cols);
        var results = new ScoredIndex[queries.Rows][];
        if (queries.Rows == 0) return results;
        var scorer = new RowScorer(function, corpus);
        int keep = Math.Min(k, corpus.Rows);
        int workers = Environment.ProcessorCount;
        var options = new ParallelOptions { CancellationToken = cancellationToken };

        if (queries.Rows >= workers || corpus.Rows < 4096)
        {
            Parallel.For(0, queries.Rows, options, q =>
            {
                var heap = new TopKHeap(keep);
                Scan(scorer, queries.Row(q), 0, corpus.Rows, heap);
                results[q] = heap.ToSortedArray();
            });
            return results;
        }

        int chunks = workers * 4;
        int chunkSize = (corpus.Rows + chunks - 1) / chunks;
        for (int q = 0; q < queries.Rows; q++)
        {
            var query = queries.Row(q).ToArray();
            var heaps = new TopKHeap[chunks];
            Parallel.For(0, chunks, options, c =>
            {
                var heap = new TopKHeap(keep);
                Scan(scorer, query, c * chunkSize, Math.Min(corpus.Rows, (c + 1) * chunkSize), heap);
                heaps[c] = heap;
            });
            var merged = new TopKHeap(keep);
            foreach (var h in heaps) foreach (var item in h.Items) merged.Offer(item.Index, item.Score);
            results[q] = merged.ToSortedArray();
        }
        return results;
    }

    /// <summary>Top-k for a single query vector.</summary>
    public static ScoredIndex[] TopK(ReadOnlySpan<float> query, Matrix corpus, int k, SimilarityFunction function = SimilarityFunction.Cosine,
        CancellationToken cancellationToken = default)
        => TopK(new Matrix(1, query.Length, query.ToArray()), corpus, k, function, cancellationToken)[0];

    static void Scan(RowScorer scorer, ReadOnlySpan<float> query, int from, int to, TopKHeap heap)
    {
        float norm = scorer.QueryNorm(query);
        for (int j = from; j < to; j++) heap.Offer(j, scorer.Score(query, norm, j));
    }
}

/// <summary>A bounded min-heap keeping the best <c>capacity</c> (score, index) pairs; worst at the root.</summary>
internal sealed class TopKHeap(int capacity)
{
    readonly ScoredIndex[] _items = new ScoredIndex[capacity];
    int _count;

    public ReadOnlySpan<ScoredIndex> Items => _items.AsSpan(0, _count);

    /// <summary>True when a ranks below b: lower score, or equal score and higher index. NaN ranks lowest.</summary>
    static bool Worse(in ScoredIndex a, in ScoredIndex b)
    {
        float sa = float.IsNaN(a.Score) ? float.NegativeInfinity : a.Score;
        float sb = float.IsNaN(b.Score) ? float.NegativeInfinity : b.Score;
        return sa < sb || sa == sb && a.Index > b.Index;
    }

    public void Offer(int index, float score)
    {
        if (_items.Length == 0) return;
        var item = new ScoredIndex(index, score);
        if (_count < _items.Length)
        {
            int i = _count++;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (!Worse(item, _items[parent])) break;
                _items[i] = _items[parent];
                i = parent;
            }
            _items[i] = item;
            return;
        }
        if (!Worse(_items[0], item)) return;
        int k = 0;
        while (true)
        {
            int l = 2 * k + 1, r = l + 1, worst = k;
            var w = item;
            if (l < _count && Worse(_items[l], w)) { worst = l; w = _items[l]; }
            if (r < _count && Worse(_items[r], w)) { worst = r; }
            if (worst == k) break;
            _items[k] = _items[worst];
            k = worst;
        }
        _items[k] = item;
    }

    public ScoredIndex[] ToSortedArray()
    {
        var result = _items.AsSpan(0, _count).ToArray();
        Array.Sort(result, (a, b) => Worse(a, b) ? 1 : Worse(b, a) ? -1 : 0);
        return result;
    }
}
