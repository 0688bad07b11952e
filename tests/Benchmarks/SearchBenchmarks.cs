using BenchmarkDotNet.Attributes;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Scoring;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>Exact top-k search and pooling (<c>dotnet run -c Release --project tests/Benchmarks -- --filter '*SearchBenchmarks*'</c>).</summary>
[MemoryDiagnoser]
public class SearchBenchmarks
{
    Matrix _corpus = null!, _queries = null!;
    float[] _tokens = null!;
    int[] _starts = null!;

    [Params(SimilarityFunction.Cosine, SimilarityFunction.Euclidean)]
    public SimilarityFunction Function { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _corpus = new Matrix(100_000, 384);
        _queries = new Matrix(100, 384);
        foreach (var m in new[] { _corpus, _queries })
            for (int i = 0; i < m.Data.Length; i++) m.Data[i] = (float)rng.NextDouble() - 0.5f;
        _starts = new int[257];
        for (int i = 0; i < 256; i++) _starts[i + 1] = _starts[i] + rng.Next(8, 128);
        _tokens = new float[_starts[^1] * 384];
        for (int i = 0; i < _tokens.Length; i++) _tokens[i] = (float)rng.NextDouble() - 0.5f;
    }

    /// <summary>100 queries × 100,000 × 384 corpus, top 10.</summary>
    [Benchmark]
    public ScoredIndex[][] TopK100Queries() => SemanticSearch.TopK(_queries, _corpus, 10, Function);

    /// <summary>One query over the same corpus.</summary>
    [Benchmark]
    public ScoredIndex[] TopKOneQuery() => SemanticSearch.TopK(_queries.Row(0), _corpus, 10, Function);

    /// <summary>Mean pooling + normalisation of 256 sequences (8–128 tokens, 384 wide), forward and backward.</summary>
    [Benchmark]
    public float[] PoolingForwardBackward()
    {
        var head = new PoolingHead(PoolingMode.Mean, normalize: true);
        var pooled = head.Forward(_tokens, 384, _starts, ReadOnlySpan<int>.Empty);
        return head.Backward(_tokens, 384, _starts, ReadOnlySpan<int>.Empty, pooled);
    }
}
