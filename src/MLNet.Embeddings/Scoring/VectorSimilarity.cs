using System.Numerics.Tensors;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Scoring;

/// <summary>
/// Similarity of vectors as sentence-transformers defines it (higher is more similar): cosine, dot,
/// negative euclidean distance and negative manhattan distance. Pairs, row-wise pairs and full matrices
/// (SIMD through TensorPrimitives, rows spread over threads).
/// </summary>
public static class VectorSimilarity
{
    /// <summary>The ε torch.nn.functional.normalize uses, so a zero vector has cosine 0 with everything.</summary>
    const float NormEpsilon = 1e-12f;

    /// <summary>Similarity of <paramref name="a"/> and <paramref name="b"/> under <paramref name="function"/>.</summary>
    public static float Score(SimilarityFunction function, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        CheckLengths(a.Length, b.Length);
        return function switch
        {
            SimilarityFunction.Cosine => Cosine(a, b),
            SimilarityFunction.Dot => TensorPrimitives.Dot(a, b),
            SimilarityFunction.Euclidean => -TensorPrimitives.Distance(a, b),
            SimilarityFunction.Manhattan => -ManhattanDistance(a, b),
            _ => throw new ArgumentOutOfRangeException(nameof(function)),
        };
    }

    /// <summary>Cosine similarity; 0 when either vector is zero.</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        CheckLengths(a.Length, b.Length);
        return TensorPrimitives.Dot(a, b) / (MathF.Max(TensorPrimitives.Norm(a), NormEpsilon) * MathF.Max(TensorPrimitives.Norm(b), NormEpsilon));
    }

    /// <summary>Dot product.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) { CheckLengths(a.Length, b.Length); return TensorPrimitives.Dot(a, b); }

    /// <summary>Euclidean (L2) distance.</summary>
    public static float EuclideanDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b) { CheckLengths(a.Length, b.Length); return TensorPrimitives.Distance(a, b); }

    /// <summary>Manhattan (L1) distance.</summary>
    public static float ManhattanDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        CheckLengths(a.Length, b.Length);
        Span<float> buffer = stackalloc float[256];
        float sum = 0;
        for (int i = 0; i < a.Length; i += buffer.Length)
        {
            int n = Math.Min(buffer.Length, a.Length - i);
            var d = buffer[..n];
            TensorPrimitives.Subtract(a.Slice(i, n), b.Slice(i, n), d);
            sum += TensorPrimitives.SumOfMagnitudes(d);
        }
        return sum;
    }

    /// <summary>Row-wise similarity: <c>result[i] = Score(a[i], b[i])</c>.</summary>
    public static float[] Pairs(SimilarityFunction function, Matrix a, Matrix b)
    {
        if (a.Rows != b.Rows) throw new ArgumentException($"Pairs needs equally many rows, found {a.Rows} and {b.Rows}.");
        CheckLengths(a.Cols, b.Cols);
        var result = new float[a.Rows];
        for (int i = 0; i < a.Rows; i++) result[i] = Score(function, a.Row(i), b.Row(i));
        return result;
    }

    /// <summary>All pairs: <c>result[i, j] = Score(a[i], b[j])</c>, an <c>[a.Rows × b.Rows]</c> matrix.</summary>
    public static Matrix Pairwise(SimilarityFunction function, Matrix a, Matrix b, CancellationToken cancellationToken = default)
    {
        CheckLengths(a.Cols, b.Cols);
        var result = new Matrix(a.Rows, b.Rows);
        if (result.Data.Length == 0) return result;
        if (function is SimilarityFunction.Dot or SimilarityFunction.Cosine)
        {
            // One cache-blocked GEMM: result = A · Bᵀ, then cosine divides by the norms.
            Sgemm.Gemm(false, true, a.Rows, b.Rows, a.Cols, 1f, a.Data, a.Cols, b.Data, b.Cols, 0f, result.Data, b.Rows);
            if (function == SimilarityFunction.Cosine)
            {
                var bInv = new float[b.Rows];
                for (int j = 0; j < b.Rows; j++) bInv[j] = 1f / MathF.Max(TensorPrimitives.Norm(b.Row(j)), NormEpsilon);
                Parallel.For(0, a.Rows, new ParallelOptions { CancellationToken = cancellationToken }, i =>
                {
                    var row = result.Row(i);
                    TensorPrimitives.Multiply(row, bInv, row);
                    TensorPrimitives.Multiply(row, 1f / MathF.Max(TensorPrimitives.Norm(a.Row(i)), NormEpsilon), row);
                });
            }
            return result;
        }
        var scorer = new RowScorer(function, b);
        const int block = 256;
        int blocksPerRow = (b.Rows + block - 1) / block;
        long items = (long)a.Rows * blocksPerRow;
        if (items == 0) return result;
        Parallel.For(0L, items, new ParallelOptions { CancellationToken = cancellationToken }, item =>
        {
            int i = (int)(item / blocksPerRow), j0 = (int)(item % blocksPerRow) * block;
            int j1 = Math.Min(b.Rows, j0 + block);
            var query = a.Row(i);
            float queryNorm = scorer.QueryNorm(query);
            var row = result.Row(i);
            for (int j = j0; j < j1; j++) row[j] = scorer.Score(query, queryNorm, j);
        });
        return result;
    }

    internal static void CheckLengths(int a, int b)
    {
        if (a != b) throw new ArgumentException($"Vectors differ in length ({a} vs {b}).");
    }
}

/// <summary>Scores one query against corpus rows, with the corpus norms precomputed for cosine.</summary>
internal sealed class RowScorer
{
    readonly SimilarityFunction _function;
    readonly Matrix _corpus;
    readonly float[]? _norms;

    public RowScorer(SimilarityFunction function, Matrix corpus)
    {
        _function = function; _corpus = corpus;
        if (function == SimilarityFunction.Cosine)
        {
            _norms = new float[corpus.Rows];
            for (int j = 0; j < corpus.Rows; j++) _norms[j] = MathF.Max(TensorPrimitives.Norm(corpus.Row(j)), 1e-12f);
        }
    }

    public float QueryNorm(ReadOnlySpan<float> query) => _function == SimilarityFunction.Cosine ? MathF.Max(TensorPrimitives.Norm(query), 1e-12f) : 1f;

    public float Score(ReadOnlySpan<float> query, float queryNorm, int j) => _function switch
    {
        SimilarityFunction.Cosine => TensorPrimitives.Dot(query, _corpus.Row(j)) / (queryNorm * _norms![j]),
        SimilarityFunction.Dot => TensorPrimitives.Dot(query, _corpus.Row(j)),
        SimilarityFunction.Euclidean => -TensorPrimitives.Distance(query, _corpus.Row(j)),
        SimilarityFunction.Manhattan => -VectorSimilarity.ManhattanDistance(query, _corpus.Row(j)),
        _ => throw new ArgumentOutOfRangeException(nameof(_function)),
    };
}
