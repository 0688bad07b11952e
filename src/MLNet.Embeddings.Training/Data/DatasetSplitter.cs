namespace MLNet.Embeddings.Training.Data;

/// <summary>
/// Splits rows into train / validation / test by ratio so that no text leaks across splits: rows that share a query
/// or positive (compared with <see cref="TextNormalizer.Key"/>), or, by default, have near-duplicate texts (MinHash LSH)
/// are joined with union-find into groups, and whole groups are assigned. Groups are shuffled with the seed and
/// placed largest first into the split furthest below its target size; with <see cref="SplitOptions.StratifyByType"/>
/// this happens per <c>type</c> (a group goes to its most common type).
/// </summary>
public static class DatasetSplitter
{
    /// <summary>Conventional output names: train.jsonl, val.jsonl, test.jsonl.</summary>
    public static readonly string[] SplitNames = ["train", "val", "test"];

    /// <summary>Splits <paramref name="inputPath"/> into <c>train.jsonl</c>, <c>val.jsonl</c>, <c>test.jsonl</c> in <paramref name="outputDir"/> (each written atomically).</summary>
    public static SplitReport Split(string inputPath, string outputDir, SplitOptions? options = null, CancellationToken cancellationToken = default)
    {
        var rows = TrainingDataReader.Read(inputPath).ToList();
        if (rows.Count == 0) throw new DatasetFormatException(inputPath, 0, null, "expected training rows, found none (the file is empty).");
        var splits = Split(rows, options, out var report, cancellationToken);
        Directory.CreateDirectory(outputDir);
        var writers = new List<TrainingDataWriter>();
        try
        {
            for (int s = 0; s < splits.Count; s++)
            {
                var path = Path.Combine(outputDir, (s < SplitNames.Length ? SplitNames[s] : $"split{s}") + ".jsonl");
                var w = new TrainingDataWriter(path);
                writers.Add(w);
                foreach (var r in splits[s]) w.Write(r);
                report.Files.Add(path);
            }
            foreach (var w in writers) w.Commit();   // all rows written before any file replaces its target
        }
        finally
        {
            foreach (var w in writers) w.Dispose();
        }
        return report;
    }

    /// <summary>Checks split fractions: at least one, each positive and finite, summing to 1 (within 1e-6).</summary>
    /// <exception cref="ConfigurationException">Named <c>Ratios</c>, saying what was found.</exception>
    public static void CheckRatios(IReadOnlyList<double> ratios)
    {
        string Shown() => string.Join(",", ratios.Select(r => r.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        if (ratios.Count == 0) throw new ConfigurationException(nameof(SplitOptions.Ratios), "expected fractions such as 0.8,0.1,0.1, found none.");
        if (ratios.Any(r => !(r > 0) || !double.IsFinite(r)))
            throw new ConfigurationException(nameof(SplitOptions.Ratios), $"each fraction must be a positive number, found {Shown()}.");
        double sum = ratios.Sum();
        if (Math.Abs(sum - 1) > 1e-6)
            throw new ConfigurationException(nameof(SplitOptions.Ratios),
                $"fractions must sum to 1, found {Shown()} (sum {sum.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture)}).");
    }

    /// <summary>Splits rows in memory; returns one list per ratio, rows kept in input order within each.</summary>
    public static List<List<TrainingExample>> Split(IReadOnlyList<TrainingExample> rows, SplitOptions? options, out SplitReport report, CancellationToken cancellationToken = default)
    {
        var o = options ?? new SplitOptions();
        CheckRatios(o.Ratios);
        var ratios = o.Ratios.Select(r => r / o.Ratios.Sum()).ToArray();
        int n = rows.Count;
        var uf = new UnionFind(n);
        int nearLinks = 0;

        var firstByKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var near = o.GroupNearDuplicates ? new NearDuplicateIndex(o.NearDuplicates) : null;
        var nearOwner = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if ((i & 255) == 0) cancellationToken.ThrowIfCancellationRequested();
            var texts = new List<string> { rows[i].Query };
            texts.AddRange(rows[i].Pos);
            if (o.GroupByNegatives) texts.AddRange(rows[i].Neg);
            foreach (var t in texts)
            {
                var key = TextNormalizer.Key(t);
                if (firstByKey.TryGetValue(key, out int j)) { uf.Union(i, j); continue; }
                firstByKey[key] = i;
                if (near is null) continue;
                var sig = near.SignatureOfKey(key);
                foreach (var (id, _) in near.FindSimilar(sig))
                    if (uf.Union(i, nearOwner[id])) nearLinks++;
                near.Add(sig);
                nearOwner.Add(i);
            }
        }

        var groups = new Dictionary<int, List<int>>();
        for (int i = 0; i < n; i++)
        {
            int root = uf.Find(i);
            if (!groups.TryGetValue(root, out var g)) groups[root] = g = new List<int>();
            g.Add(i);
        }
        var strata = new Dictionary<string, List<List<int>>>(StringComparer.Ordinal);
        foreach (var g in groups.Values)
        {
            string type = o.StratifyByType
                ? g.GroupBy(i => rows[i].Type ?? "").OrderByDescending(x => x.Count()).ThenBy(x => x.Key, StringComparer.Ordinal).First().Key
                : "";
            if (!strata.TryGetValue(type, out var list)) strata[type] = list = new();
            list.Add(g);
        }

        var assignment = new int[n];
        report = new SplitReport { Groups = groups.Count, LargestGroup = groups.Count == 0 ? 0 : groups.Values.Max(g => g.Count), NearDuplicateLinks = nearLinks };
        var rng = new Random(o.Seed);
        foreach (var (type, list) in strata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            // order groups by min row index first so the shuffle is independent of dictionary order
            var ordered = list.OrderBy(g => g[0]).ToArray();
            rng.Shuffle(ordered);
            var placed = ordered.Select((g, k) => (g, k)).OrderByDescending(x => x.g.Count).ThenBy(x => x.k).Select(x => x.g);
            int total = list.Sum(g => g.Count);
            var counts = new long[ratios.Length];
            foreach (var g in placed)
            {
                int best = 0;
                double bestNeed = double.NegativeInfinity;
                for (int s = 0; s < ratios.Length; s++)
                {
                    if (ratios[s] == 0) continue;
                    double need = ratios[s] * total - counts[s];
                    if (need > bestNeed) { bestNeed = need; best = s; }
                }
                counts[best] += g.Count;
                foreach (var i in g) assignment[i] = best;
            }
            report.RowsByType[type] = counts;
        }
        var result = Enumerable.Range(0, ratios.Length).Select(_ => new List<TrainingExample>()).ToList();
        for (int i = 0; i < n; i++) result[assignment[i]].Add(rows[i]);
        report.Rows = result.Select(r => (long)r.Count).ToArray();
        return result;
    }

    private sealed class UnionFind
    {
        private readonly int[] _parent;
        private readonly int[] _rank;

        public UnionFind(int n)
        {
            _parent = new int[n];
            _rank = new int[n];
            for (int i = 0; i < n; i++) _parent[i] = i;
        }

        public int Find(int x)
        {
            while (_parent[x] != x) { _parent[x] = _parent[_parent[x]]; x = _parent[x]; }
            return x;
        }

        /// <summary>Joins the sets; true when they were different.</summary>
        public bool Union(int a, int b)
        {
            a = Find(a); b = Find(b);
            if (a == b) return false;
            if (_rank[a] < _rank[b]) (a, b) = (b, a);
            _parent[b] = a;
            if (_rank[a] == _rank[b]) _rank[a]++;
            return true;
        }
    }
}
