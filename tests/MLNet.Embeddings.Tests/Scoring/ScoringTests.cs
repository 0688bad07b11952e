using MLNet.Embeddings.Scoring;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Tests.Scoring;

public class ScoringTests
{
    static Matrix Random(int rows, int cols, int seed, int levels = 0)
    {
        var rng = new Random(seed);
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i++)
            m.Data[i] = levels > 0 ? rng.Next(levels) - levels / 2 : (float)(rng.NextDouble() * 2 - 1);
        return m;
    }

    static double Naive(SimilarityFunction f, float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0, l2 = 0, l1 = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i]; na += (double)a[i] * a[i]; nb += (double)b[i] * b[i];
            l2 += ((double)a[i] - b[i]) * ((double)a[i] - b[i]); l1 += Math.Abs((double)a[i] - b[i]);
        }
        return f switch
        {
            SimilarityFunction.Cosine => dot / (Math.Max(Math.Sqrt(na), 1e-12) * Math.Max(Math.Sqrt(nb), 1e-12)),
            SimilarityFunction.Dot => dot,
            SimilarityFunction.Euclidean => -Math.Sqrt(l2),
            SimilarityFunction.Manhattan => -l1,
            _ => throw new ArgumentOutOfRangeException(nameof(f)),
        };
    }

    [Theory]
    [InlineData(SimilarityFunction.Cosine)]
    [InlineData(SimilarityFunction.Dot)]
    [InlineData(SimilarityFunction.Euclidean)]
    [InlineData(SimilarityFunction.Manhattan)]
    public void PairsAndPairwiseMatchNaive(SimilarityFunction f)
    {
        var a = Random(7, 300, 1); var b = Random(600, 300, 2); // 300 > the 256-value manhattan buffer
        var m = VectorSimilarity.Pairwise(f, a, b);
        Assert.Equal(7, m.Rows); Assert.Equal(600, m.Cols);
        for (int i = 0; i < a.Rows; i++)
            for (int j = 0; j < b.Rows; j++)
            {
                double want = Naive(f, a.Row(i).ToArray(), b.Row(j).ToArray());
                Assert.True(Math.Abs(m[i, j] - want) < 1e-4 * Math.Max(1, Math.Abs(want)), $"{f} [{i},{j}] {m[i, j]} vs {want}");
            }
        var b7 = new Matrix(7, 300, b.Data[..(7 * 300)]);
        var pairs = VectorSimilarity.Pairs(f, a, b7);
        for (int i = 0; i < 7; i++) Assert.Equal(m[i, i], pairs[i], 4);
    }

    [Fact]
    public void CosineWithZeroVectorIsZero()
    {
        Assert.Equal(0f, VectorSimilarity.Cosine(new float[3], new[] { 1f, 2f, 3f }));
        Assert.Throws<ArgumentException>(() => VectorSimilarity.Cosine(new float[3], new float[2]));
    }

    static ScoredIndex[] NaiveTopK(SimilarityFunction f, float[] q, Matrix corpus, int k) =>
        Enumerable.Range(0, corpus.Rows)
            .Select(j => new ScoredIndex(j, VectorSimilarity.Score(f, q, corpus.Row(j))))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Index).Take(k).ToArray();

    [Theory]
    [InlineData(SimilarityFunction.Cosine, 5, 0)]
    [InlineData(SimilarityFunction.Dot, 10, 3)]     // integer vectors: many tied scores
    [InlineData(SimilarityFunction.Euclidean, 1, 0)]
    [InlineData(SimilarityFunction.Manhattan, 50, 2)]
    public void TopKMatchesNaiveSortIncludingTies(SimilarityFunction f, int k, int levels)
    {
        var corpus = Random(500, 16, 3, levels);
        var queries = Random(20, 16, 4, levels);
        var results = SemanticSearch.TopK(queries, corpus, k, f);
        Assert.Equal(20, results.Length);
        for (int q = 0; q < queries.Rows; q++) AssertSameRanking(NaiveTopK(f, queries.Row(q).ToArray(), corpus, k), results[q]);
    }

    [Fact]
    public void TopKFewQueriesLargeCorpusUsesChunksAndStillMatches()
    {
        var corpus = Random(20000, 8, 5, levels: 3); // heavy ties across chunk borders
        var query = Random(1, 8, 6, levels: 3);
        var result = SemanticSearch.TopK(query.Row(0), corpus, 25, SimilarityFunction.Dot);
        Assert.Equal(NaiveTopK(SimilarityFunction.Dot, query.Row(0).ToArray(), corpus, 25), result);
        foreach (var f in new[] { SimilarityFunction.Euclidean, SimilarityFunction.Cosine })
            AssertSameRanking(NaiveTopK(f, query.Row(0).ToArray(), corpus, 25), SemanticSearch.TopK(query.Row(0), corpus, 25, f));
    }

    /// <summary>Same indices in the same order; scores equal up to float rounding (GEMM sums in another order).</summary>
    static void AssertSameRanking(ScoredIndex[] expected, ScoredIndex[] actual)
    {
        Assert.Equal(expected.Select(x => x.Index), actual.Select(x => x.Index));
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i].Score, actual[i].Score, 4);
    }

    [Fact]
    public void ManyQueriesInSeveralBlocks()
    {
        var corpus = Random(3000, 24, 8);
        var queries = Random(600, 24, 9); // > one 256-query block, corpus > one 1024-row chunk
        foreach (var f in new[] { SimilarityFunction.Cosine, SimilarityFunction.Dot })
        {
            var results = SemanticSearch.TopK(queries, corpus, 7, f);
            for (int q = 0; q < queries.Rows; q += 37) AssertSameRanking(NaiveTopK(f, queries.Row(q).ToArray(), corpus, 7), results[q]);
        }
    }

    [Fact]
    public void KLargerThanCorpusReturnsAllSorted()
    {
        var corpus = Random(4, 3, 7);
        var r = SemanticSearch.TopK(new[] { 1f, 0f, 0f }, corpus, 10);
        Assert.Equal(4, r.Length);
        Assert.Equal(new[] { 0, 1, 2, 3 }, r.Select(x => x.Index).Order());
        for (int i = 1; i < r.Length; i++) Assert.True(r[i - 1].Score >= r[i].Score);
        Assert.Empty(SemanticSearch.TopK(new[] { 1f, 0f, 0f }, new Matrix(0, 3), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => SemanticSearch.TopK(new[] { 1f, 0f, 0f }, corpus, 0));
    }
}
