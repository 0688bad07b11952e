namespace MLNet.Embeddings.Training.Monitoring;

/// <summary>
/// The training-time checks on embeddings: the mean pairwise cosine and the spread of a fixed probe set (everything
/// clustering tightly, whatever it means, is a collapse), and the mean cosine of similar against dissimilar pairs.
/// </summary>
public static class EmbeddingChecks
{
    /// <summary>
    /// Mean cosine over all pairs i ≠ j of <paramref name="vectors"/> and their spread, <c>sqrt(mean ‖nᵢ − c‖²)</c> of the
    /// unit vectors nᵢ around their centroid c (0: all identical; 1: the centroid is the origin).
    /// </summary>
    public static (double MeanCosine, double Spread) ProbeSet(IReadOnlyList<float[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.Count < 2) throw new ArgumentException("the probe set needs at least 2 texts.", nameof(vectors));
        int n = vectors.Count, d = vectors[0].Length;
        var unit = vectors.Select(Unit).ToArray();
        var c = new double[d];
        foreach (var u in unit) for (int k = 0; k < d; k++) c[k] += u[k] / n;
        double sumCos = 0;
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) sumCos += Dot(unit[i], unit[j]);
        double spread = 0;
        foreach (var u in unit) { double s = 0; for (int k = 0; k < d; k++) { double t = u[k] - c[k]; s += t * t; } spread += s / n; }
        return (sumCos / (n * (n - 1) / 2.0), Math.Sqrt(spread));
    }

    /// <summary>Mean cosine of the similar pairs and of the dissimilar pairs (NaN where there is none).</summary>
    public static (double Similar, double Dissimilar) Pairs(IReadOnlyList<ProbePair> pairs, IReadOnlyList<float[]> first, IReadOnlyList<float[]> second)
    {
        double s = 0, ds = 0; int ns = 0, nd = 0;
        for (int i = 0; i < pairs.Count; i++)
        {
            double cos = Dot(Unit(first[i]), Unit(second[i]));
            if (pairs[i].Similar) { s += cos; ns++; } else { ds += cos; nd++; }
        }
        return (ns > 0 ? s / ns : double.NaN, nd > 0 ? ds / nd : double.NaN);
    }

    static double[] Unit(float[] v)
    {
        double n = Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => n > 0 ? x / n : 0).ToArray();
    }

    static double Dot(double[] a, double[] b) { double s = 0; for (int k = 0; k < a.Length; k++) s += a[k] * b[k]; return s; }
}
