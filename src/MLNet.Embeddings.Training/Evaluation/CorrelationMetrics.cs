namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>Pearson and Spearman correlation (as scipy.stats.pearsonr / spearmanr), and average ranks for ties.</summary>
public static class CorrelationMetrics
{
    /// <summary>Pearson's r; NaN when either input is constant.</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"Expected equally long inputs, found {x.Count} and {y.Count}.", nameof(y));
        if (x.Count < 2) throw new ArgumentException("Expected at least two pairs.", nameof(x));
        int n = x.Count;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
        mx /= n; my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) return double.NaN;
        return Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1);
    }

    /// <summary>Spearman's rho: Pearson's r of the average ranks.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
        => Pearson(Ranks(x), Ranks(y));

    /// <summary>1-based ranks, ties sharing the average of the ranks they span (scipy's rankdata "average").</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        int n = values.Count;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (double.IsNaN(values[i])) throw new ArgumentException($"Value {i} is NaN.", nameof(values));
            keys[i] = values[i];
        }
        Array.Sort(keys, order);
        var ranks = new double[n];
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && keys[end] == keys[start]) end++;
            double rank = (start + 1 + end) / 2.0; // mean of start+1 .. end
            for (int i = start; i < end; i++) ranks[order[i]] = rank;
            start = end;
        }
        return ranks;
    }
}
