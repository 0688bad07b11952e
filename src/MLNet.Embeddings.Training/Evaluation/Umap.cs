namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// UMAP (McInnes, Healy and Melville, 2018) to two dimensions, following umap-learn: exact k-nearest neighbours,
/// smooth-kNN distances (ρ = distance to the nearest neighbour, σ by binary search so that the memberships sum to
/// log2 k), fuzzy union of the directed graph (a + b − ab), spectral initial layout (or uniform random), then SGD over
/// the edges with per-edge sampling rates, negative sampling and a/b fitted from min_dist and spread.
/// Single-threaded SGD with one seeded generator, so a seed always gives the same layout.
/// </summary>
public static class Umap
{
    /// <summary>Projects <paramref name="data"/> to n points [x, y].</summary>
    /// <param name="data">Input vectors.</param>
    /// <param name="options">Settings; null for defaults.</param>
    /// <param name="progress">Receives the number of finished epochs.</param>
    /// <param name="cancellationToken">Stops between epochs.</param>
    public static double[][] Fit(IReadOnlyList<float[]> data, UmapOptions? options = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var o = options ?? new UmapOptions();
        if (o.Neighbors < 2) throw new ConfigurationException("Neighbors", $"expected at least 2, found {o.Neighbors}.");
        if (!(o.Spread > 0)) throw new ConfigurationException("Spread", $"expected a positive number, found {o.Spread}.");
        if (o.MinDist < 0 || o.MinDist > o.Spread) throw new ConfigurationException("MinDist", $"expected a value in [0, spread], found {o.MinDist}.");
        var x = ProjectionInput.Prepare(data, o.Metric);
        int n = x.Length;
        if (n == 0) return Array.Empty<double[]>();
        if (n == 1) return new[] { new double[2] };
        int epochs = o.Epochs ?? (n <= 10_000 ? 500 : 200);
        if (epochs < 1) throw new ConfigurationException("Epochs", $"expected at least 1, found {epochs}.");

        var (heads, tails, weights) = FuzzyGraph(x, Math.Min(o.Neighbors, n), cancellationToken);
        var rng = new Random(o.Seed);
        var y = o.SpectralInit ? SpectralLayout(n, heads, tails, weights, rng) : null;
        if (y is null)
        {
            y = new double[2 * n];
            for (int i = 0; i < y.Length; i++) y[i] = rng.NextDouble() * 20 - 10;
        }
        NormalizeToBox(y, n);
        var (a, b) = FindAbParams(o.Spread, o.MinDist);
        Optimize(y, n, heads, tails, weights, epochs, a, b, o, rng, progress, cancellationToken);

        var result = new double[n][];
        for (int i = 0; i < n; i++) result[i] = new[] { y[2 * i], y[2 * i + 1] };
        return result;
    }

    /// <summary>
    /// a and b of the layout's similarity curve 1 / (1 + a d^(2b)), least-squares fitted (Levenberg–Marquardt) to
    /// 1 for d &lt; min_dist and exp(−(d − min_dist) / spread) beyond, on 300 points in [0, 3 spread] — as
    /// umap-learn's find_ab_params.
    /// </summary>
    public static (double A, double B) FindAbParams(double spread, double minDist)
    {
        const int m = 300;
        var xs = new double[m]; var ys = new double[m];
        for (int i = 0; i < m; i++)
        {
            xs[i] = 3 * spread * i / (m - 1);
            ys[i] = xs[i] < minDist ? 1 : Math.Exp(-(xs[i] - minDist) / spread);
        }
        double a = 1, b = 1, lambda = 1e-3;
        double Cost(double pa, double pb)
        {
            double c = 0;
            for (int i = 0; i < m; i++) { double r = Curve(xs[i], pa, pb) - ys[i]; c += r * r; }
            return c;
        }
        double cost = Cost(a, b);
        for (int iter = 0; iter < 500; iter++)
        {
            // Normal equations (JᵀJ + λ diag(JᵀJ)) δ = −Jᵀr for the two parameters.
            double jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
            for (int i = 0; i < m; i++)
            {
                double x = xs[i];
                double p = x > 0 ? Math.Pow(x, 2 * b) : 0;
                double den = 1 + a * p;
                double r = 1 / den - ys[i];
                double da = -p / (den * den);
                double db = x > 0 ? -a * p * 2 * Math.Log(x) / (den * den) : 0;
                jaa += da * da; jab += da * db; jbb += db * db; ga += da * r; gb += db * r;
            }
            bool improved = false;
            while (lambda < 1e12)
            {
                double m11 = jaa * (1 + lambda), m22 = jbb * (1 + lambda), det = m11 * m22 - jab * jab;
                double stepA = -(m22 * ga - jab * gb) / det, stepB = -(m11 * gb - jab * ga) / det;
                double na = a + stepA, nb = b + stepB, newCost = Cost(na, nb);
                if (double.IsFinite(newCost) && newCost < cost)
                {
                    bool converged = Math.Abs(stepA) < 1e-12 * (1 + Math.Abs(a)) && Math.Abs(stepB) < 1e-12 * (1 + Math.Abs(b));
                    double relative = (cost - newCost) / Math.Max(cost, 1e-300);
                    a = na; b = nb; cost = newCost; lambda = Math.Max(lambda / 10, 1e-12);
                    improved = !converged && relative > 1e-15;
                    break;
                }
                lambda *= 10;
            }
            if (!improved) break;
        }
        return (a, b);
    }

    private static double Curve(double x, double a, double b) => 1 / (1 + a * (x > 0 ? Math.Pow(x, 2 * b) : 0));

    /// <summary>The symmetric fuzzy simplicial set as an edge list (both directions, sorted by head then tail).</summary>
    internal static (int[] Heads, int[] Tails, double[] Weights) FuzzyGraph(float[][] x, int k, CancellationToken cancellationToken)
    {
        int n = x.Length;
        var norms = x.Select(v => (double)System.Numerics.Tensors.TensorPrimitives.Dot<float>(v, v)).ToArray();
        var knn = new int[n][];
        var dist = new double[n][];
        // Row by row (no n × n matrix): the point itself first, then the k − 1 nearest others (ties by index), as umap-learn's kNN.
        Parallel.For(0, n, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var d2 = new double[n];
            for (int j = 0; j < n; j++)
                d2[j] = j == i ? 0 : Math.Max(0, norms[i] + norms[j] - 2.0 * System.Numerics.Tensors.TensorPrimitives.Dot<float>(x[i], x[j]));
            var order = Enumerable.Range(0, n).Where(j => j != i).OrderBy(j => d2[j]).ThenBy(j => j).Take(k - 1).ToArray();
            knn[i] = order.Prepend(i).ToArray();
            dist[i] = knn[i].Select(j => j == i ? 0 : Math.Sqrt(d2[j])).ToArray();
        });

        double meanAll = 0;
        for (int i = 0; i < n; i++) meanAll += dist[i].Average();
        meanAll /= n;
        var directed = new Dictionary<long, double>();
        double target = Math.Log2(k);
        for (int i = 0; i < n; i++)
        {
            var (rho, sigma) = SmoothKnn(dist[i], target, meanAll);
            for (int c = 0; c < knn[i].Length; c++)
            {
                int j = knn[i][c];
                if (j == i) continue;
                double d = dist[i][c] - rho;
                double w = d <= 0 || sigma == 0 ? 1 : Math.Exp(-d / sigma);
                directed[(long)i * n + j] = w;
            }
        }
        var union = new SortedDictionary<long, double>();
        foreach (var (key, w) in directed)
        {
            int i = (int)(key / n), j = (int)(key % n);
            long back = (long)j * n + i;
            double wt = directed.GetValueOrDefault(back);
            double v = w + wt - w * wt;
            union[key] = v;
            union[back] = v;
        }
        var heads = new int[union.Count]; var tails = new int[union.Count]; var weights = new double[union.Count];
        int e = 0;
        foreach (var (key, w) in union)
        {
            heads[e] = (int)(key / n); tails[e] = (int)(key % n); weights[e] = w; e++;
        }
        return (heads, tails, weights);
    }

    /// <summary>ρ (first non-zero neighbour distance) and σ with Σ_j exp(−max(0, d_j − ρ)/σ) = target (64 bisection steps).</summary>
    internal static (double Rho, double Sigma) SmoothKnn(double[] distances, double target, double meanAll)
    {
        double rho = 0;
        foreach (var d in distances.Skip(1)) if (d > 0) { rho = d; break; }
        double lo = 0, hi = double.PositiveInfinity, mid = 1;
        for (int step = 0; step < 64; step++)
        {
            double sum = 0;
            for (int j = 1; j < distances.Length; j++)
            {
                double d = distances[j] - rho;
                sum += d > 0 ? Math.Exp(-d / mid) : 1;
            }
            if (Math.Abs(sum - target) < 1e-5) break;
            if (sum > target) { hi = mid; mid = (lo + hi) / 2; }
            else { lo = mid; mid = double.IsPositiveInfinity(hi) ? mid * 2 : (lo + hi) / 2; }
        }
        double mean = distances.Average();
        double floor = 1e-3 * (rho > 0 ? mean : meanAll);
        return (rho, Math.Max(mid, floor));
    }

    /// <summary>
    /// Two smallest non-trivial eigenvectors of the normalised Laplacian I − D^(−1/2) W D^(−1/2), by block power
    /// iteration on (I + D^(−1/2) W D^(−1/2)) / 2 with the trivial vector D^(1/2)·1 projected out, then Rayleigh–Ritz.
    /// Scaled to max |coordinate| = 10 plus N(0, 1e-4) noise, as umap-learn. Null when it does not work out.
    /// </summary>
    private static double[]? SpectralLayout(int n, int[] heads, int[] tails, double[] weights, Random rng)
    {
        if (n < 4) return null;
        var degree = new double[n];
        for (int e = 0; e < heads.Length; e++) degree[heads[e]] += weights[e];
        if (degree.Any(d => d <= 0)) return null;
        var invSqrt = degree.Select(d => 1 / Math.Sqrt(d)).ToArray();
        var trivial = degree.Select(Math.Sqrt).ToArray();
        Normalize(trivial);
        const int block = 4;
        var basis = new double[block][];
        var init = new Random(rng.Next());
        for (int c = 0; c < block; c++) basis[c] = Enumerable.Range(0, n).Select(_ => init.NextDouble() - 0.5).ToArray();
        Orthonormalize(basis, trivial);
        var tmp = new double[n];
        for (int iter = 0; iter < 300; iter++)
        {
            for (int c = 0; c < block; c++)
            {
                Apply(basis[c], tmp, heads, tails, weights, invSqrt);
                (basis[c], tmp) = (tmp, basis[c]);
            }
            Orthonormalize(basis, trivial);
        }
        // Rayleigh–Ritz within the block, then the two leading Ritz vectors.
        var h = new double[block, block];
        var applied = new double[block][];
        for (int c = 0; c < block; c++) { applied[c] = new double[n]; Apply(basis[c], applied[c], heads, tails, weights, invSqrt); }
        for (int r = 0; r < block; r++)
            for (int c = 0; c < block; c++) h[r, c] = Dot(basis[r], applied[c]);
        var (values, vectors) = JacobiEigen(h);
        var order = Enumerable.Range(0, block).OrderByDescending(i => values[i]).ToArray();
        var y = new double[2 * n];
        for (int dim = 0; dim < 2; dim++)
            for (int c = 0; c < block; c++)
            {
                double coef = vectors[c, order[dim]];
                for (int i = 0; i < n; i++) y[2 * i + dim] += coef * basis[c][i];
            }
        double maxAbs = y.Max(Math.Abs);
        if (!(maxAbs > 0) || !double.IsFinite(maxAbs)) return null;
        for (int i = 0; i < y.Length; i++) y[i] = y[i] * 10 / maxAbs + 1e-4 * ProjectionInput.Gaussian(rng);
        return y;
    }

    // output = (v + D^(−1/2) W D^(−1/2) v) / 2
    private static void Apply(double[] v, double[] output, int[] heads, int[] tails, double[] weights, double[] invSqrt)
    {
        for (int i = 0; i < v.Length; i++) output[i] = v[i] / 2;
        for (int e = 0; e < heads.Length; e++)
            output[heads[e]] += 0.5 * invSqrt[heads[e]] * weights[e] * invSqrt[tails[e]] * v[tails[e]];
    }

    private static void Orthonormalize(double[][] basis, double[] trivial)
    {
        for (int c = 0; c < basis.Length; c++)
        {
            for (int pass = 0; pass < 2; pass++)
            {
                Subtract(basis[c], trivial);
                for (int prev = 0; prev < c; prev++) Subtract(basis[c], basis[prev]);
            }
            if (!Normalize(basis[c]))
                for (int i = 0; i < basis[c].Length; i++) basis[c][i] = ((i * 7919 + c * 104729) % 1000) / 1000.0 - 0.5;
        }
    }

    private static void Subtract(double[] v, double[] unit)
    {
        double d = Dot(v, unit);
        for (int i = 0; i < v.Length; i++) v[i] -= d * unit[i];
    }

    private static bool Normalize(double[] v)
    {
        double norm = Math.Sqrt(Dot(v, v));
        if (!(norm > 1e-300)) return false;
        for (int i = 0; i < v.Length; i++) v[i] /= norm;
        return true;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>Eigenvalues and eigenvectors (columns) of a small symmetric matrix by cyclic Jacobi rotations.</summary>
    private static (double[] Values, double[,] Vectors) JacobiEigen(double[,] matrix)
    {
        int m = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var v = new double[m, m];
        for (int i = 0; i < m; i++) v[i, i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < m; p++) for (int q = p + 1; q < m; q++) off += a[p, q] * a[p, q];
            if (off < 1e-24) break;
            for (int p = 0; p < m; p++)
                for (int q = p + 1; q < m; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-300) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < m; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq; a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < m; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk; a[q, k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < m; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq; v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        var values = new double[m];
        for (int i = 0; i < m; i++) values[i] = a[i, i];
        return (values, v);
    }

    private static void NormalizeToBox(double[] y, int n)
    {
        for (int dim = 0; dim < 2; dim++)
        {
            double min = double.MaxValue, max = double.MinValue;
            for (int i = 0; i < n; i++) { min = Math.Min(min, y[2 * i + dim]); max = Math.Max(max, y[2 * i + dim]); }
            double span = max - min;
            for (int i = 0; i < n; i++) y[2 * i + dim] = span > 0 ? 10 * (y[2 * i + dim] - min) / span : 5;
        }
    }

    /// <summary>umap-learn's optimize_layout_euclidean with both ends of an edge moving.</summary>
    private static void Optimize(double[] y, int n, int[] heads, int[] tails, double[] weights, int epochs, double a, double b,
        UmapOptions o, Random rng, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        double maxW = weights.Length == 0 ? 0 : weights.Max();
        var edges = Enumerable.Range(0, weights.Length).Where(e => weights[e] >= maxW / epochs).ToArray();
        var perSample = new double[edges.Length];
        for (int i = 0; i < edges.Length; i++) perSample[i] = epochs / (epochs * weights[edges[i]] / maxW);
        var perNegative = perSample.Select(v => v / o.NegativeSampleRate).ToArray();
        var nextSample = (double[])perSample.Clone();
        var nextNegative = (double[])perNegative.Clone();
        double gamma = o.RepulsionStrength;
        static double Clip(double v) => v > 4 ? 4 : v < -4 ? -4 : v;

        for (int epoch = 0; epoch < epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double alpha = o.LearningRate * (1.0 - epoch / (double)epochs);
            for (int i = 0; i < edges.Length; i++)
            {
                if (nextSample[i] > epoch) continue;
                int j = heads[edges[i]], k = tails[edges[i]];
                double dx = y[2 * j] - y[2 * k], dy = y[2 * j + 1] - y[2 * k + 1];
                double d2 = dx * dx + dy * dy;
                double coef = d2 > 0 ? -2.0 * a * b * Math.Pow(d2, b - 1) / (a * Math.Pow(d2, b) + 1) : 0;
                double gx = Clip(coef * dx) * alpha, gy = Clip(coef * dy) * alpha;
                y[2 * j] += gx; y[2 * j + 1] += gy;
                y[2 * k] -= gx; y[2 * k + 1] -= gy;
                nextSample[i] += perSample[i];

                int negatives = (int)((epoch - nextNegative[i]) / perNegative[i]);
                for (int s = 0; s < negatives; s++)
                {
                    int r = rng.Next(n);
                    if (r == j) continue;
                    double ex = y[2 * j] - y[2 * r], ey = y[2 * j + 1] - y[2 * r + 1];
                    double e2 = ex * ex + ey * ey;
                    if (!(e2 > 0)) continue;
                    double rc = 2.0 * gamma * b / ((0.001 + e2) * (a * Math.Pow(e2, b) + 1));
                    y[2 * j] += Clip(rc * ex) * alpha;
                    y[2 * j + 1] += Clip(rc * ey) * alpha;
                }
                nextNegative[i] += negatives * perNegative[i];
            }
            progress?.Report(epoch + 1);
        }
    }
}
