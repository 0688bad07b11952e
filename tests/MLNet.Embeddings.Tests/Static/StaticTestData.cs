namespace MLNet.Embeddings.Tests.Static;

/// <summary>Locates shared data (../shared/data beside the repository root) and fixtures; makes temp folders.</summary>
internal static class StaticTestData
{
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "MLNet.Embeddings.sln"))) return dir.FullName;
            throw new InvalidOperationException($"No MLNet.Embeddings.sln above {AppContext.BaseDirectory}.");
        }
    }

    public static string Shared(params string[] parts)
    {
        var path = Path.GetFullPath(Path.Combine([RepoRoot, "..", "shared", "data", .. parts]));
        if (!File.Exists(path)) throw new FileNotFoundException($"Shared data file missing: {path} (expected ../shared/data beside the repository).", path);
        return path;
    }

    public static string GlovePath => Shared("glove", "glove.6B.100d.top50k.txt");
    public static string StsTestPath => Shared("stsbenchmark", "sts-test.csv");

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "static", name);

    /// <summary>STS-benchmark pairs: tab-separated genre, file, year, id, score, sentence1, sentence2 (extra columns ignored).</summary>
    public static List<(double Score, string A, string B)> ReadSts(string path)
    {
        var pairs = new List<(double, string, string)>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0) continue;
            var f = line.Split('\t');
            pairs.Add((double.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture), f[5], f[6]));
        }
        return pairs;
    }

    /// <summary>Spearman correlation with average ranks for ties.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var rx = Ranks(x); var ry = Ranks(y);
        double mx = rx.Average(), my = ry.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < rx.Length; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }

    static double[] Ranks(IReadOnlyList<double> v)
    {
        var order = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && v[order[j + 1]] == v[order[i]]) j++;
            double r = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = r;
            i = j + 1;
        }
        return ranks;
    }

    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++) { ab += a[i] * (double)b[i]; aa += a[i] * (double)a[i]; bb += b[i] * (double)b[i]; }
        return aa == 0 || bb == 0 ? 0 : ab / Math.Sqrt(aa * bb);
    }

    public static string TempFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mlnet-static-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
