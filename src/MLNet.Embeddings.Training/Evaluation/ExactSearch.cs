using System.Numerics.Tensors;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Exact cosine top-k: every query against every document (SIMD dot products over L2-normalised copies) with a
/// bounded min-heap per query. Ties are broken by the lower document index, so results are deterministic.
/// </summary>
internal static class ExactSearch
{
    /// <summary>Per query, the indexes of the <paramref name="k"/> most cosine-similar documents, best first.</summary>
    public static int[][] TopK(float[][] queries, float[][] documents, int k, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var q = Normalized(queries);
        var d = Normalized(documents);
        int dim = q.Length > 0 ? q[0].Length : 0;
        foreach (var v in d)
            if (v.Length != dim) throw new ArgumentException($"Document vectors have {v.Length} dimensions, queries {dim}.", nameof(documents));
        int take = Math.Min(k, d.Length);
        var result = new int[q.Length][];
        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, q.Length, options, () => new TopKHeap(take), (i, _, heap) =>
        {
            heap.Clear();
            var query = q[i];
            for (int j = 0; j < d.Length; j++) heap.Offer(TensorPrimitives.Dot<float>(query, d[j]), j);
            result[i] = heap.DrainDescending();
            return heap;
        }, _ => { });
        return result;
    }

    /// <summary>Cosine similarity of two vectors (0 when either is all zeros).</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Vectors have {a.Length} and {b.Length} dimensions.");
        double na = TensorPrimitives.Norm(a), nb = TensorPrimitives.Norm(b);
        if (na == 0 || nb == 0) return 0;
        return TensorPrimitives.Dot(a, b) / (na * nb);
    }

    /// <summary>L2-normalised copies (zero vectors stay zero).</summary>
    public static float[][] Normalized(float[][] vectors)
    {
        var result = new float[vectors.Length][];
        for (int i = 0; i < vectors.Length; i++)
        {
            var v = vectors[i];
            var copy = new float[v.Length];
            float norm = TensorPrimitives.Norm<float>(v);
            if (norm > 0) TensorPrimitives.Divide(v, norm, copy);
            result[i] = copy;
        }
        return result;
    }

    /// <summary>Keeps the best <c>capacity</c> (score, index) pairs; the root is the worst kept.</summary>
    private sealed class TopKHeap(int capacity)
    {
        private readonly float[] _scores = new float[capacity];
        private readonly int[] _ids = new int[capacity];
        private int _count;

        public void Clear() => _count = 0;

        // a is worse than b: lower score, or equal score and higher index.
        private bool Worse(int a, int b) => _scores[a] < _scores[b] || (_scores[a] == _scores[b] && _ids[a] > _ids[b]);

        public void Offer(float score, int id)
        {
            if (capacity == 0) return;
            if (_count < capacity)
            {
                _scores[_count] = score; _ids[_count] = id;
                SiftUp(_count++);
                return;
            }
            // Documents arrive in increasing index order, so an equal score never beats the root.
            if (score <= _scores[0]) return;
            _scores[0] = score; _ids[0] = id;
            SiftDown(0);
        }

        public int[] DrainDescending()
        {
            var result = new int[_count];
            for (int i = _count - 1; i >= 0; i--)
            {
                result[i] = _ids[0];
                _count--;
                if (_count > 0)
                {
                    _scores[0] = _scores[_count]; _ids[0] = _ids[_count];
                    SiftDown(0);
                }
            }
            return result;
        }

        private void SiftUp(int i)
        {
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (!Worse(i, parent)) break;
                Swap(i, parent);
                i = parent;
            }
        }

        private void SiftDown(int i)
        {
            while (true)
            {
                int l = 2 * i + 1, r = l + 1, worst = i;
                if (l < _count && Worse(l, worst)) worst = l;
                if (r < _count && Worse(r, worst)) worst = r;
                if (worst == i) return;
                Swap(i, worst);
                i = worst;
            }
        }

        private void Swap(int a, int b)
        {
            (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
            (_ids[a], _ids[b]) = (_ids[b], _ids[a]);
        }
    }
}
