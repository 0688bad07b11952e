using BenchmarkDotNet.Attributes;
using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>
/// Evaluation hot spots: exact cosine top-10 (1,000 queries × 10,000 documents × 384 dims), t-SNE on 1,000 points
/// and UMAP on 2,000 points (384 dims, 10 Gaussian clusters).
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*EvaluationBenchmarks*'</c>
/// </summary>
[MemoryDiagnoser]
public class EvaluationBenchmarks
{
    private float[][] _queries = null!, _documents = null!, _points = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        float[] Rand() => Enumerable.Range(0, 384).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        _queries = Enumerable.Range(0, 1000).Select(_ => Rand()).ToArray();
        _documents = Enumerable.Range(0, 10_000).Select(_ => Rand()).ToArray();
        var centres = Enumerable.Range(0, 10).Select(_ => Rand()).ToArray();
        _points = Enumerable.Range(0, 2000).Select(i => centres[i % 10].Select(c => c * 5 + (float)(rng.NextDouble() - 0.5)).ToArray()).ToArray();
    }

    [Benchmark]
    public int[][] ExactTop10() => ExactSearch.TopK(_queries, _documents, 10);

    [Benchmark]
    public double[][] Tsne1000() => Tsne.Fit(_points[..1000], new TsneOptions { Seed = 1 });

    [Benchmark]
    public double[][] Umap2000() => Umap.Fit(_points, new UmapOptions { Seed = 1 });
}
