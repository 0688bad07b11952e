using System.Numerics.Tensors;
using MLNet.Embeddings.Kernels;
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
        int keep = Math.Min(k, corpus.Rows);
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        if (keep == 0)
        {
            for (int q = 0; q < queries.Rows; q++) results[q] = [];
            return results;
        }
        // GEMM pays off once a block of queries shares each pass over the corpus; a few queries scan instead.
        if ((function is SimilarityFunction.Cosine or SimilarityFunction.Dot) && queries.Rows >= GemmMinQueries)
            return GemmTopK(queries, corpus, keep, function == SimilarityFunction.Cosine, options, results);

        var scorer = new RowScorer(function, corpus);
        int workers = Environment.ProcessorCount;
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

    /// <summary>
    /// Dot and cosine: a block of queries times a chunk of the corpus is one matrix product (cache-blocked SIMD
    /// GEMM), so each corpus row is read once per query block instead of once per query. Corpus chunks run in
    /// parallel; each worker keeps one heap per query of the block, merged when the worker finishes.
    /// </summary>
    static ScoredIndex[][] GemmTopK(Matrix queries, Matrix corpus, int keep, bool cosine, ParallelOptions options, ScoredIndex[][] results)
    {
        const int QueryBlock = 256, CorpusChunk = 1024;
        int d = queries.Cols;
        float[]? corpusInv = null, queryInv = null;
        if (cosine)
        {
            corpusInv = new float[corpus.Rows];
            Parallel.For(0, corpus.Rows, options, j => corpusInv[j] = 1f / MathF.Max(TensorPrimitives.Norm(corpus.Row(j)), NormEpsilon));
            queryInv = new float[queries.Rows];
            for (int i = 0; i < queries.Rows; i++) queryInv[i] = 1f / MathF.Max(TensorPrimitives.Norm(queries.Row(i)), NormEpsilon);
        }
        int chunks = (corpus.Rows + CorpusChunk - 1) / CorpusChunk;
        for (int q0 = 0; q0 < queries.Rows; q0 += QueryBlock)
        {
            int qb = Math.Min(QueryBlock, queries.Rows - q0);
            var merged = new TopKHeap[qb];
            for (int i = 0; i < qb; i++) merged[i] = new TopKHeap(keep);
            var gate = new object();
            Parallel.For(0, chunks, options,
                () => (Heaps: Enumerable.Range(0, qb).Select(_ => new TopKHeap(keep)).ToArray(), Scores: new float[qb * CorpusChunk]),
                (c, _, local) =>
                {
                    int j0 = c * CorpusChunk, cb = Math.Min(CorpusChunk, corpus.Rows - j0);
                    // scores[qb × cb] = Q[q0 .. q0+qb) · C[j0 .. j0+cb)ᵀ
                    Sgemm.Gemm(false, true, qb, cb, d, 1f, queries.Data.AsSpan(q0 * d, qb * d), d,
                        corpus.Data.AsSpan(j0 * d, cb * d), d, 0f, local.Scores, cb, parallel: false);
                    for (int i = 0; i < qb; i++)
                    {
                        var row = local.Scores.AsSpan(i * cb, cb);
                        var heap = local.Heaps[i];
                        if (cosine)
                        {
                            float qi = queryInv![q0 + i];
                            for (int j = 0; j < cb; j++) heap.Offer(j0 + j, row[j] * qi * corpusInv![j0 + j]);
                        }
                        else
                            for (int j = 0; j < cb; j++) heap.Offer(j0 + j, row[j]);
                    }
                    return local;
                },
                local =>
                {
                    lock (gate)
                        for (int i = 0; i < qb; i++)
                            foreach (var item in local.Heaps[i].Items) merged[i].Offer(item.Index, item.Score);
                });
            for (int i = 0; i < qb; i++) results[q0 + i] = merged[i].ToSortedArray();
        }
        return results;
    }

    const float NormEpsilon = 1e-12f;
    const int GemmMinQueries = 8;

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
