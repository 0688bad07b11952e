using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Training.Tests.Evaluation;

public class ProjectionTests
{
    /// <summary><paramref name="clusters"/> Gaussian blobs in 20-D, centres 10 apart, unit spread.</summary>
    internal static (float[][] X, int[] Labels) Blobs(int clusters, int perCluster, int seed, int dim = 20)
    {
        var rng = new Random(seed);
        var centres = Enumerable.Range(0, clusters).Select(_ => Enumerable.Range(0, dim).Select(_ => rng.NextDouble() * 20 - 10).ToArray()).ToArray();
        var x = new List<float[]>(); var labels = new List<int>();
        for (int i = 0; i < clusters * perCluster; i++)
        {
            int c = i % clusters; // interleaved, so input order carries no cluster information
            x.Add(centres[c].Select(m => (float)(m + Gaussian(rng))).ToArray());
            labels.Add(c);
        }
        return (x.ToArray(), labels.ToArray());
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Fraction of each point's k nearest 2-D neighbours that share its label, averaged.</summary>
    internal static double KnnPurity(double[][] y, int[] labels, int k = 5)
    {
        double total = 0;
        for (int i = 0; i < y.Length; i++)
        {
            var nearest = Enumerable.Range(0, y.Length).Where(j => j != i)
                .OrderBy(j => Math.Pow(y[i][0] - y[j][0], 2) + Math.Pow(y[i][1] - y[j][1], 2)).Take(k);
            total += nearest.Count(j => labels[j] == labels[i]) / (double)k;
        }
        return total / y.Length;
    }

    /// <summary>Smallest between-cluster centroid distance divided by the largest within-cluster RMS radius.</summary>
    private static double Separation(double[][] y, int[] labels)
    {
        var groups = labels.Distinct().Select(c => Enumerable.Range(0, y.Length).Where(i => labels[i] == c).ToArray()).ToArray();
        var centroids = groups.Select(g => new[] { g.Average(i => y[i][0]), g.Average(i => y[i][1]) }).ToArray();
        double radius = groups.Select((g, c) => Math.Sqrt(g.Average(i => Math.Pow(y[i][0] - centroids[c][0], 2) + Math.Pow(y[i][1] - centroids[c][1], 2)))).Max();
        double gap = double.MaxValue;
        for (int a = 0; a < centroids.Length; a++)
            for (int b = a + 1; b < centroids.Length; b++)
                gap = Math.Min(gap, Math.Sqrt(Math.Pow(centroids[a][0] - centroids[b][0], 2) + Math.Pow(centroids[a][1] - centroids[b][1], 2)));
        return gap / radius;
    }

    [Fact]
    public void TsneSeparatesGaussianClusters()
    {
        var (x, labels) = Blobs(4, 40, seed: 5);
        var y = Tsne.Fit(x, new TsneOptions { Perplexity = 15, Iterations = 500, Seed = 1 });
        Assert.Equal(x.Length, y.Length);
        Assert.All(y, p => Assert.True(double.IsFinite(p[0]) && double.IsFinite(p[1])));
        Assert.True(KnnPurity(y, labels) >= 0.9, $"kNN purity {KnnPurity(y, labels)}");
        Assert.True(Separation(y, labels) > 2, $"separation {Separation(y, labels)}");
    }

    [Fact]
    public void TsneIsDeterministicGivenTheSeed()
    {
        var (x, _) = Blobs(3, 15, seed: 2);
        var o1 = new TsneOptions { Iterations = 120, Seed = 7 };
        var a = Tsne.Fit(x, o1);
        var b = Tsne.Fit(x, new TsneOptions { Iterations = 120, Seed = 7 });
        var c = Tsne.Fit(x, new TsneOptions { Iterations = 120, Seed = 8 });
        Assert.Equal(a.SelectMany(p => p), b.SelectMany(p => p));
        Assert.NotEqual(a.SelectMany(p => p), c.SelectMany(p => p));
    }

    [Fact]
    public void TsneConditionalProbabilitiesHitThePerplexity()
    {
        var (x, _) = Blobs(2, 25, seed: 3);
        int n = x.Length;
        var d = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                d[i * n + j] = x[i].Zip(x[j], (u, v) => (double)(u - v) * (u - v)).Sum();
        // Symmetrised P sums to 1 and is symmetric.
        var p = Tsne.JointProbabilities(d, n, perplexity: 10);
        Assert.Equal(1, p.Sum(), 6);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) Assert.Equal(p[i * n + j], p[j * n + i], 15);
        // Each conditional row has entropy ln(perplexity) and equals an independently calibrated row.
        var cond = Tsne.ConditionalProbabilities(d, n, perplexity: 10);
        foreach (int i in new[] { 0, 17, n - 1 })
        {
            var row = Enumerable.Range(0, n).Where(j => j != i).Select(j => d[i * n + j]).ToArray();
            double beta = FindBeta(row, Math.Log(10));
            double min = row.Min();
            var w = row.Select(v => Math.Exp(-beta * (v - min))).ToArray();
            double s = w.Sum();
            var mine = Enumerable.Range(0, n).Where(j => j != i).Select(j => cond[i * n + j]).ToArray();
            Assert.Equal(0, cond[i * n + i]);
            for (int j = 0; j < mine.Length; j++) Assert.Equal(w[j] / s, mine[j], 4);
            double entropy = -mine.Where(q => q > 0).Sum(q => q * Math.Log(q));
            Assert.Equal(Math.Log(10), entropy, 4);
        }
    }

    // An independent bisection on log(beta) for the reference row.
    private static double FindBeta(double[] d, double target)
    {
        double lo = -30, hi = 10;
        for (int i = 0; i < 200; i++)
        {
            double mid = (lo + hi) / 2, beta = Math.Exp(mid);
            double min = d.Min();
            var w = d.Select(v => Math.Exp(-beta * (v - min))).ToArray();
            double s = w.Sum();
            double h = -w.Select(q => q / s).Where(q => q > 0).Sum(q => q * Math.Log(q));
            if (h > target) lo = mid; else hi = mid;
        }
        return Math.Exp((lo + hi) / 2);
    }

    [Fact]
    public void UmapSeparatesGaussianClustersWithSpectralAndRandomInit()
    {
        var (x, labels) = Blobs(4, 40, seed: 9);
        foreach (bool spectral in new[] { true, false })
        {
            var y = Umap.Fit(x, new UmapOptions { SpectralInit = spectral, Epochs = 200, Seed = 3 });
            Assert.Equal(x.Length, y.Length);
            Assert.All(y, p => Assert.True(double.IsFinite(p[0]) && double.IsFinite(p[1])));
            Assert.True(KnnPurity(y, labels) >= 0.9, $"spectral={spectral}: kNN purity {KnnPurity(y, labels)}");
            Assert.True(Separation(y, labels) > 2, $"spectral={spectral}: separation {Separation(y, labels)}");
        }
    }

    [Fact]
    public void UmapSpectralInitAloneGroupsClusters()
    {
        // One epoch barely moves points: the layout is essentially the Laplacian eigenmap, random init is not.
        var (x, labels) = Blobs(3, 30, seed: 6);
        var spectral = Umap.Fit(x, new UmapOptions { Epochs = 1, Seed = 2 });
        var random = Umap.Fit(x, new UmapOptions { Epochs = 1, Seed = 2, SpectralInit = false });
        Assert.True(KnnPurity(spectral, labels) >= 0.9, $"spectral purity {KnnPurity(spectral, labels)}");
        Assert.True(KnnPurity(random, labels) < 0.8, $"random purity {KnnPurity(random, labels)}");
    }

    [Fact]
    public void UmapIsDeterministicGivenTheSeed()
    {
        var (x, _) = Blobs(3, 20, seed: 4);
        var a = Umap.Fit(x, new UmapOptions { Epochs = 60, Seed = 11, Metric = ProjectionMetric.Cosine });
        var b = Umap.Fit(x, new UmapOptions { Epochs = 60, Seed = 11, Metric = ProjectionMetric.Cosine });
        var c = Umap.Fit(x, new UmapOptions { Epochs = 60, Seed = 12, Metric = ProjectionMetric.Cosine });
        Assert.Equal(a.SelectMany(p => p), b.SelectMany(p => p));
        Assert.NotEqual(a.SelectMany(p => p), c.SelectMany(p => p));
    }

    [Fact]
    public void UmapAbParamsMatchScipyCurveFit()
    {
        using var doc = EvaluationFixtures.Load("evaluation_reference.json");
        foreach (var c in doc.RootElement.GetProperty("umap_ab").EnumerateArray())
        {
            var (a, b) = Umap.FindAbParams(c.GetProperty("spread").GetDouble(), c.GetProperty("min_dist").GetDouble());
            Assert.Equal(c.GetProperty("a").GetDouble(), a, 4);
            Assert.Equal(c.GetProperty("b").GetDouble(), b, 4);
        }
    }

    [Fact]
    public void UmapSmoothKnnHitsLog2K()
    {
        var distances = new[] { 0, 0.5, 0.7, 0.9, 1.4, 2.0, 2.2, 3.1 };
        var (rho, sigma) = Umap.SmoothKnn(distances, Math.Log2(8), 1.0);
        Assert.Equal(0.5, rho);
        double sum = distances.Skip(1).Sum(d => Math.Exp(-Math.Max(0, d - rho) / sigma));
        Assert.Equal(Math.Log2(8), sum, 4);
    }

    [Fact]
    public void UmapGraphIsSymmetricFuzzyUnion()
    {
        var (x, _) = Blobs(2, 10, seed: 1);
        var (heads, tails, weights) = Umap.FuzzyGraph(x, 5, CancellationToken.None);
        var map = new Dictionary<(int, int), double>();
        for (int e = 0; e < heads.Length; e++) map[(heads[e], tails[e])] = weights[e];
        foreach (var ((i, j), w) in map)
        {
            Assert.NotEqual(i, j);
            Assert.True(map.TryGetValue((j, i), out var back) && back == w);
            Assert.InRange(w, 0, 1);
        }
        // Every point keeps at least its k − 1 neighbours.
        Assert.All(Enumerable.Range(0, x.Length), i => Assert.True(heads.Count(h => h == i) >= 4));
    }
}
