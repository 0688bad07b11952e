using System.Globalization;

namespace MLNet.Embeddings.Training.Batch;

/// <summary>
/// The share of one input a job processes: row <c>r</c> (0-based, in input order) belongs to shard <c>r mod Count</c>.
/// Deterministic by row index, so N copies started with <c>0/N … N−1/N</c> on N machines cover every row exactly once
/// with no coordination, and a round-robin merge of their outputs in shard order restores the input order.
/// </summary>
/// <param name="Index">This job's shard, 0 ≤ Index &lt; Count.</param>
/// <param name="Count">Number of shards (1: the whole input).</param>
public readonly record struct ShardSpec(int Index, int Count)
{
    /// <summary>The whole input as one shard.</summary>
    public static ShardSpec All => new(0, 1);

    /// <summary>True when row <paramref name="rowIndex"/> belongs to this shard.</summary>
    public bool Owns(long rowIndex) => Count <= 1 || rowIndex % Count == Index;

    /// <summary>Parses <c>i/N</c> (e.g. <c>0/4</c>); errors name <paramref name="setting"/>.</summary>
    public static ShardSpec Parse(string text, string setting = "--shard")
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            throw new ConfigurationException(setting, $"expected i/N such as 0/4, found '{text}'.");
        if (n < 1 || i >= n) throw new ConfigurationException(setting, $"expected 0 ≤ i < N and N ≥ 1, found '{text}'.");
        return new ShardSpec(i, n);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Index}/{Count}";
}
