namespace MLNet.Embeddings.Training;

/// <summary>
/// Splits row indices into batches for one epoch: seeded shuffling (or input order), optional drop-last, and
/// optionally no duplicate texts in a batch.
/// </summary>
public static class BatchSampler
{
    /// <summary>
    /// Batches of row indices for epoch <paramref name="epoch"/>. The order depends only on
    /// (<paramref name="seed"/>, <paramref name="epoch"/>), so a resumed run sees the same batches.
    /// </summary>
    /// <param name="count">Number of rows.</param>
    /// <param name="batchSize">Rows per batch.</param>
    /// <param name="shuffle">Shuffle (seeded); false keeps input order.</param>
    /// <param name="seed">Run seed.</param>
    /// <param name="epoch">0-based epoch.</param>
    /// <param name="dropLast">Drop a final incomplete batch.</param>
    /// <param name="rowTexts">When given, no text appears twice in a batch (see <see cref="NoDuplicates"/>).</param>
    public static List<int[]> Batches(int count, int batchSize, bool shuffle, int seed, int epoch, bool dropLast,
        Func<int, IEnumerable<string>>? rowTexts = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var order = Enumerable.Range(0, count).ToArray();
        if (shuffle) Shuffle(order, unchecked(seed * 1_000_003 + epoch));
        if (rowTexts is not null) return NoDuplicates(order, batchSize, dropLast, rowTexts);
        var batches = new List<int[]>();
        for (int s = 0; s < count; s += batchSize)
        {
            int n = Math.Min(batchSize, count - s);
            if (n < batchSize && dropLast) break;
            batches.Add(order.AsSpan(s, n).ToArray());
        }
        return batches;
    }

    /// <summary>
    /// sentence-transformers' NoDuplicatesBatchSampler: walk the (shuffled) rows and put each into the current batch
    /// unless one of its texts is already there; a skipped row waits for a later batch. With in-batch negatives,
    /// a duplicate would be a false negative.
    /// </summary>
    public static List<int[]> NoDuplicates(IReadOnlyList<int> order, int batchSize, bool dropLast, Func<int, IEnumerable<string>> rowTexts)
    {
        var remaining = new List<int>(order);
        var batches = new List<int[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (remaining.Count > 0)
        {
            var batch = new List<int>(batchSize); var left = new List<int>();
            seen.Clear();
            foreach (var row in remaining)
            {
                if (batch.Count == batchSize) { left.Add(row); continue; }
                var texts = rowTexts(row).ToArray();
                if (texts.Any(seen.Contains)) { left.Add(row); continue; }
                foreach (var t in texts) seen.Add(t);
                batch.Add(row);
            }
            remaining = left;
            if (batch.Count < batchSize && dropLast) break;
            batches.Add(batch.ToArray());
        }
        return batches;
    }

    /// <summary>Fisher–Yates shuffle with a seeded generator.</summary>
    internal static void Shuffle(int[] a, int seed)
    {
        var rng = new Random(seed);
        for (int i = a.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (a[i], a[j]) = (a[j], a[i]);
        }
    }
}
