using System.Numerics.Tensors;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>Input checks and pairwise distances shared by the projections.</summary>
internal static class ProjectionInput
{
    /// <summary>Checks shape and values; returns the vectors (L2-normalised copies for <see cref="ProjectionMetric.Cosine"/>).</summary>
    public static float[][] Prepare(IReadOnlyList<float[]> data, ProjectionMetric metric)
    {
        ArgumentNullException.ThrowIfNull(data);
        int dim = data.Count > 0 ? data[0]?.Length ?? 0 : 0;
        for (int i = 0; i < data.Count; i++)
        {
            if (data[i] is null || data[i].Length != dim) throw new ArgumentException($"Vector {i} has {data[i]?.Length ?? 0} values; expected {dim}.", nameof(data));
            foreach (var v in data[i])
                if (!float.IsFinite(v)) throw new ArgumentException($"Vector {i} holds a non-finite value.", nameof(data));
        }
        var x = data.ToArray();
        return metric == ProjectionMetric.Cosine ? ExactSearch.Normalized(x) : x;
    }

    /// <summary>Squared euclidean distances, n × n, row-major (via norms and SIMD dot products; clamped at 0).</summary>
    public static double[] SquaredDistances(float[][] x, CancellationToken cancellationToken)
    {
        int n = x.Length;
        var norms = new double[n];
        for (int i = 0; i < n; i++) norms[i] = TensorPrimitives.Dot<float>(x[i], x[i]);
        var d = new double[(long)n * n];
        Parallel.For(0, n, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            for (int j = 0; j < n; j++)
                d[(long)i * n + j] = i == j ? 0 : Math.Max(0, norms[i] + norms[j] - 2.0 * TensorPrimitives.Dot<float>(x[i], x[j]));
        });
        // Exact symmetry (the two dot products above are identical, but keep it explicit).
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) d[(long)j * n + i] = d[(long)i * n + j];
        return d;
    }

    /// <summary>A standard normal draw (Box–Muller) from <paramref name="rng"/>.</summary>
    public static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
