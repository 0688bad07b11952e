using System.Buffers.Text;
using System.Text;
using MLNet.Embeddings.Data;

namespace MLNet.Embeddings.Training.Batch;

/// <summary>
/// Merges the JSONL outputs of <c>--shard 0/N … N−1/N</c> back into one file in input order: row <c>r</c> is taken
/// from shard <c>r mod N</c>, round-robin, and each line's <c>index</c> is checked. The result is byte-identical to
/// the output of one unsharded job with the same settings. Streaming (one line per shard in memory), written atomically.
/// </summary>
public static class ShardMerger
{
    /// <summary>Merges <paramref name="shards"/> (in shard order 0 … N−1) into <paramref name="output"/>; returns the row count.</summary>
    public static long Merge(IReadOnlyList<string> shards, string output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shards);
        if (shards.Count == 0) throw new ConfigurationException("--inputs", "give the shard outputs in shard order (0/N first).");
        foreach (var s in shards)
        {
            if (!File.Exists(s)) throw new FileNotFoundException($"--inputs: file not found: {s}", s);
            if (BatchInput.FormatOf(s, "--inputs") != BatchFormat.Jsonl)
                throw new ConfigurationException("--inputs", $"merge reads .jsonl shard outputs, found {s}; for Parquet shards read them together and sort by 'index' (docs/batch.md).");
        }
        var readers = shards.Select(s => new StreamReader(s, new UTF8Encoding(false), false, 1 << 16)).ToArray();
        var lines = new int[shards.Count];
        long index = 0;
        try
        {
            using var file = new AtomicFile(output);
            var writer = file.Writer;
            writer.NewLine = "\n";
            while (true)
            {
                int k = (int)(index % shards.Count);
                string? line = readers[k].ReadLine();
                if (line is null)
                {
                    for (int other = 0; other < shards.Count; other++)
                        if (readers[other].Peek() >= 0)
                            throw new DatasetFormatException(shards[k], lines[k], "index", $"shard {k} ended at row {index} while shard {other} ({shards[other]}) has more rows; are the shards complete and in order?");
                    break;
                }
                lines[k]++;
                long found = IndexOf(line);
                if (found != index)
                    throw new DatasetFormatException(shards[k], lines[k], "index", $"expected row {index} (row r comes from shard r mod {shards.Count}), found {(found < 0 ? "no index" : found)}; are the shards given in order 0/N … N−1/N?");
                writer.WriteLine(line);
                index++;
                if ((index & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            }
            file.Commit();
            return index;
        }
        finally { foreach (var r in readers) r.Dispose(); }
    }

    /// <summary>The value of a line's leading <c>"index"</c> field, or −1.</summary>
    static long IndexOf(string line)
    {
        const string prefix = "{\"index\":";
        if (!line.StartsWith(prefix, StringComparison.Ordinal)) return -1;
        var rest = Encoding.ASCII.GetBytes(line.Substring(prefix.Length, Math.Min(20, line.Length - prefix.Length)));
        return Utf8Parser.TryParse(rest, out long value, out _) ? value : -1;
    }
}
