namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Exact t-SNE (van der Maaten and Hinton, 2008) to two dimensions: conditional probabilities calibrated to the
/// perplexity by binary search on each point's precision, symmetrised P, Student-t Q, gradient descent with
/// momentum, per-coordinate gains and early exaggeration (as scikit-learn's exact method). O(n²) per iteration:
/// meant for up to a few thousand points. Seeded and deterministic (the parallel loops never share sums).
/// </summary>
/// <example>
/// <code>
/// double[][] xy = Tsne.Fit(model.Encode(texts), new TsneOptions { Perplexity = 30, Seed = 1 });
/// File.WriteAllText("plot.svg", ScatterPlot.ToSvg(xy, labels));
/// </code>
/// </example>
public static class Tsne
{
    /// <summary>Projects <paramref name="data"/> (n vectors of one width) to n points [x, y].</summary>
    /// <param name="data">Input vectors.</param>
    /// <param name="options">Settings; null for defaults.</param>
    /// <param name="progress">Receives the number of finished iterations.</param>
    /// <param name="cancellationToken">Stops between iterations.</param>
    public static double[][] Fit(IReadOnlyList<float[]> data, TsneOptions? options = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var o = options ?? new TsneOptions();
        if (!(o.Perplexity > 0)) throw new ConfigurationException("Perplexity", $"expected a positive number, found {o.Perplexity}.");
        if (o.Iterations < 1) throw new ConfigurationException("Iterations", $"expected at least 1, found {o.Iterations}.");
        var x = ProjectionInput.Prepare(data, o.Metric);
        int n = x.Length;
        if (n == 0) return Array.Empty<double[]>();
        if (n == 1) return new[] { new double[2] };

        double perplexity = Math.Min(o.Perplexity, Math.Max(1, (n - 1) / 3.0));
        var p = JointProbabilities(ProjectionInput.SquaredDistances(x, cancellationToken), n, perplexity, cancellationToken);

        var rng = new Random(o.Seed);
        var y = new double[2 * n];
        for (int i = 0; i < y.Length; i++) y[i] = 1e-4 * ProjectionInput.Gaussian(rng);
        var update = new double[2 * n];
        var gains = new double[2 * n];
        Array.Fill(gains, 1.0);
        var grad = new double[2 * n];
        var attract = new double[2 * n];
        var repulse = new double[2 * n];
        var rowZ = new double[n];
        double learningRate = o.LearningRate ?? Math.Max(n / o.EarlyExaggeration / 4, 50);
        var parallel = new ParallelOptions { CancellationToken = cancellationToken };

        for (int iter = 0; iter < o.Iterations; iter++)
        {
            bool early = iter < o.ExaggerationIterations;
            double exaggeration = early ? o.EarlyExaggeration : 1;
            double momentum = early ? 0.5 : 0.8;
            // Per row: Σ_j p_ij q̃_ij (y_i − y_j), Σ_j q̃_ij² (y_i − y_j) and Σ_j q̃_ij with q̃ = 1 / (1 + |y_i − y_j|²).
            Parallel.For(0, n, parallel, i =>
            {
                double yix = y[2 * i], yiy = y[2 * i + 1];
                double ax = 0, ay = 0, rx = 0, ry = 0, z = 0;
                long row = (long)i * n;
                for (int j = 0; j < n; j++)
                {
                    if (j == i) continue;
                    double dx = yix - y[2 * j], dy = yiy - y[2 * j + 1];
                    double q = 1.0 / (1.0 + dx * dx + dy * dy);
                    z += q;
                    double pq = p[row + j] * q;
                    ax += pq * dx; ay += pq * dy;
                    double qq = q * q;
                    rx += qq * dx; ry += qq * dy;
                }
                attract[2 * i] = ax; attract[2 * i + 1] = ay;
                repulse[2 * i] = rx; repulse[2 * i + 1] = ry;
                rowZ[i] = z;
            });
            double zSum = 0;
            for (int i = 0; i < n; i++) zSum += rowZ[i];
            for (int k = 0; k < 2 * n; k++) grad[k] = 4.0 * (exaggeration * attract[k] - repulse[k] / zSum);

            for (int k = 0; k < 2 * n; k++)
            {
                bool sameDirection = update[k] * grad[k] < 0; // the step went downhill: grow the gain
                gains[k] = sameDirection ? gains[k] + 0.2 : gains[k] * 0.8;
                if (gains[k] < 0.01) gains[k] = 0.01;
                update[k] = momentum * update[k] - learningRate * gains[k] * grad[k];
                y[k] += update[k];
            }
            double mx = 0, my = 0;
            for (int i = 0; i < n; i++) { mx += y[2 * i]; my += y[2 * i + 1]; }
            mx /= n; my /= n;
            for (int i = 0; i < n; i++) { y[2 * i] -= mx; y[2 * i + 1] -= my; }
            progress?.Report(iter + 1);
        }

        var result = new double[n][];
        for (int i = 0; i < n; i++) result[i] = new[] { y[2 * i], y[2 * i + 1] };
        return result;
    }

    /// <summary>
    /// Symmetric joint probabilities p_ij = (p_j|i + p_i|j) / 2n, where p_j|i ∝ exp(−β_i d²_ij) and β_i is found by
    /// binary search so that the entropy of row i equals ln(perplexity) (within 1e-5 nats, at most 100 steps).
    /// </summary>
    internal static double[] JointProbabilities(double[] squaredDistances, int n, double perplexity, CancellationToken cancellationToken = default)
    {
        var conditional = ConditionalProbabilities(squaredDistances, n, perplexity, cancellationToken);
        var p = new double[(long)n * n];
        double scale = 1.0 / (2.0 * n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                p[(long)i * n + j] = i == j ? 0 : Math.Max((conditional[(long)i * n + j] + conditional[(long)j * n + i]) * scale, 1e-12);
        return p;
    }

    /// <summary>Row-normalised p_j|i, each row calibrated to the perplexity.</summary>
    internal static double[] ConditionalProbabilities(double[] squaredDistances, int n, double perplexity, CancellationToken cancellationToken = default)
    {
        var conditional = new double[(long)n * n];
        double target = Math.Log(perplexity);
        Parallel.For(0, n, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            long row = (long)i * n;
            double minD = double.MaxValue;
            for (int j = 0; j < n; j++) if (j != i) minD = Math.Min(minD, squaredDistances[row + j]);
            double beta = 1, lo = double.NegativeInfinity, hi = double.PositiveInfinity;
            for (int step = 0; step < 100; step++)
            {
                // Shifting by the smallest distance leaves p_j|i unchanged and avoids underflow.
                double sum = 0, weighted = 0;
                for (int j = 0; j < n; j++)
                {
                    if (j == i) { conditional[row + j] = 0; continue; }
                    double d = squaredDistances[row + j] - minD;
                    double v = Math.Exp(-d * beta);
                    conditional[row + j] = v;
                    sum += v; weighted += d * v;
                }
                double entropy = Math.Log(sum) + beta * weighted / sum;
                for (int j = 0; j < n; j++) conditional[row + j] /= sum;
                double diff = entropy - target;
                if (Math.Abs(diff) < 1e-5) break;
                if (diff > 0) // too flat: sharpen
                {
                    lo = beta;
                    beta = double.IsPositiveInfinity(hi) ? beta * 2 : (beta + hi) / 2;
                }
                else
                {
                    hi = beta;
                    beta = double.IsNegativeInfinity(lo) ? beta / 2 : (beta + lo) / 2;
                }
            }
        });
        return conditional;
    }
}
