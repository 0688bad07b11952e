using MLNet.Embeddings.Kernels;

namespace MLNet.Embeddings.Tests.Kernels;

[Collection(KernelStateCollection.Name)]
public class SgemmTests
{
    static float[] Random(int n, int seed)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1);
        return a;
    }

    static double[] Naive(bool ta, bool tb, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        // op(A) as rows [m × k] and op(B)ᵀ as rows [n × k], in double, then plain dot products.
        var ar = new double[m * k]; var br = new double[n * k];
        for (int i = 0; i < m; i++) for (int p = 0; p < k; p++) ar[i * k + p] = ta ? a[p * lda + i] : a[i * lda + p];
        for (int j = 0; j < n; j++) for (int p = 0; p < k; p++) br[j * k + p] = tb ? b[j * ldb + p] : b[p * ldb + j];
        var r = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            var ai = new ReadOnlySpan<double>(ar, i * k, k);
            for (int j = 0; j < n; j++)
            {
                var bj = new ReadOnlySpan<double>(br, j * k, k);
                double s = System.Numerics.Tensors.TensorPrimitives.Dot(ai, bj);
                r[i * n + j] = alpha * s + (beta == 0 ? 0 : beta * (double)c[i * ldc + j]);
            }
        }
        return r;
    }

    static void Check(bool ta, bool tb, int m, int n, int k, float alpha, float beta, int pad, bool portable = false, bool parallel = true, bool avx2 = false,
        bool withBias = false)
    {
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        var a = Random((ta ? k : m) * lda, 1);
        var b = Random((tb ? n : k) * ldb, 2);
        var c = Random(m * ldc, 3);
        var expected = Naive(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        var bias = withBias ? Random(n, 4) : [];
        if (withBias) for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) expected[i * n + j] += bias[j];
        var before = (float[])c.Clone();
        Sgemm.ForcePortable = portable;
        Sgemm.ForceAvx2 = avx2;
        try { Sgemm.Gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, parallel, bias); }
        finally { Sgemm.ForcePortable = false; Sgemm.ForceAvx2 = false; }
        double tol = 1e-5 * Math.Max(1, k);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
                if (!(Math.Abs(expected[i * n + j] - c[i * ldc + j]) <= tol))
                    Assert.Fail($"({ta},{tb}) {m}x{n}x{k} at [{i},{j}]: expected {expected[i * n + j]}, got {c[i * ldc + j]}");
            for (int j = n; j < ldc && i * ldc + j < c.Length; j++) Assert.Equal(before[i * ldc + j], c[i * ldc + j]); // stride gap untouched
        }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 13, 5)]
    [InlineData(6, 16, 8)]
    [InlineData(13, 33, 257)]
    [InlineData(121, 17, 300)]
    [InlineData(384, 384, 384)]
    [InlineData(3, 4100, 20)]
    [InlineData(37, 29, 1100)]
    public void MatchesNaiveForAllTranspositions(int m, int n, int k)
    {
        foreach (var ta in new[] { false, true })
            foreach (var tb in new[] { false, true })
                Check(ta, tb, m, n, k, 1f, 0f, 0);
    }

    [Theory]
    [InlineData(12, 32, 7)]
    [InlineData(13, 33, 257)]
    [InlineData(25, 48, 600)]
    [InlineData(121, 17, 300)]
    [InlineData(130, 400, 64)]
    [InlineData(1024, 384, 384)]
    public void BiasIsAddedOnceToEveryRow(int m, int n, int k)
    {
        // alpha 1 and untransposed A take the in-place (unpacked A) 512-bit path where AVX-512 is present.
        foreach (var beta in new[] { 0f, 1f, 0.5f })
            foreach (var parallel in new[] { false, true })
            {
                Check(false, true, m, n, k, 1f, beta, 0, parallel: parallel, withBias: true);
                Check(false, false, m, n, k, 1f, beta, 3, parallel: parallel, withBias: true);
            }
        Check(true, true, m, n, k, 0.5f, 1f, 2, withBias: true);
        Check(false, true, m, n, k, 1f, 0f, 1, avx2: true, withBias: true);
        Check(false, true, m, n, k, 1f, 1f, 0, portable: true, withBias: true);
    }

    [Theory]
    [InlineData(7, 13, 5)]
    [InlineData(50, 70, 90)]
    public void AlphaBetaAndStridesAreHonoured(int m, int n, int k)
    {
        Check(false, true, m, n, k, 0.5f, 1f, 3);
        Check(true, false, m, n, k, -2f, 0.25f, 5);
        Check(false, false, m, n, k, 1f, 1f, 1, parallel: false);
    }

    [Theory]
    [InlineData(7, 13, 5)]
    [InlineData(130, 40, 270)]
    [InlineData(13, 20, 1030)]
    public void PortableKernelMatchesNaive(int m, int n, int k)
    {
        Check(false, true, m, n, k, 1f, 0f, 0, portable: true);
        Check(true, false, m, n, k, 1f, 1f, 2, portable: true);
    }

    [Theory]
    [InlineData(7, 13, 5)]
    [InlineData(6, 16, 8)]
    [InlineData(13, 33, 257)]
    [InlineData(130, 40, 270)]
    [InlineData(128, 384, 384)]
    public void Avx2KernelMatchesNaive(int m, int n, int k)
    {
        // On AVX-512 machines the other tests run the 512-bit kernel; this one keeps the 256-bit path covered.
        foreach (var ta in new[] { false, true })
            foreach (var tb in new[] { false, true })
                Check(ta, tb, m, n, k, 1f, 0f, 0, avx2: true);
        Check(false, true, m, n, k, 0.5f, 0.25f, 3, avx2: true, parallel: false);
    }

    [Theory]
    [InlineData(12, 32, 7)]
    [InlineData(11, 31, 64)]
    [InlineData(18, 48, 33)]
    [InlineData(25, 65, 19)]
    [InlineData(128, 384, 384)]
    [InlineData(200, 96, 600)]
    public void WideKernelEdgesMatchNaive(int m, int n, int k)
    {
        // Row counts around multiples of 12 and column counts around multiples of 32 (the 512-bit tile),
        // serial and parallel, with beta 1 and strides.
        Check(false, true, m, n, k, 1f, 0f, 0);
        Check(true, false, m, n, k, 1.5f, 1f, 2, parallel: false);
        Check(false, false, m, n, k, -1f, 0.5f, 1);
    }

    [Fact]
    public void ZeroInnerDimensionScalesC()
    {
        var c = new float[] { 1, 2, 3, 4 };
        Sgemm.Gemm(false, false, 2, 2, 0, 1f, Array.Empty<float>(), 0, Array.Empty<float>(), 2, 0.5f, c, 2);
        Assert.Equal(new float[] { 0.5f, 1, 1.5f, 2 }, c);
    }

    [Fact]
    public void ShortSpanIsRejected()
    {
        var a = new float[5];
        Assert.Throws<ArgumentException>(() => Sgemm.Gemm(false, false, 2, 2, 3, 1f, a, 3, new float[6], 2, 0f, new float[4], 2));
    }
}
