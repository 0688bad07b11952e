using System.Text.Json;

namespace MLNet.Embeddings.Data;

/// <summary>
/// The commit marker of a resumable JSONL job (<c>embed --resume</c>, <c>data generate --resume</c>): a small JSON file
/// <c>{"rows": R, "bytes": B, "counts": {...}, settings...}</c> beside the partial output, replaced atomically (temp
/// file, rename) after each flushed window. <c>R</c> input rows are done and the first <c>B</c> bytes of the partial file
/// hold their output; a resumed run cuts the file to <c>B</c> bytes (dropping a torn line after <c>kill -9</c>) and skips
/// <c>R</c> input rows. The settings must match between the runs; <c>counts</c> carries the job's running totals.
/// </summary>
public static class CommitMarker
{
    /// <summary>Suffix of the output while it is being built (<c>OUTPUT.partial</c>).</summary>
    public const string PartialSuffix = ".partial";
    /// <summary>Suffix of the marker beside the partial output (<c>OUTPUT.partial.progress</c>).</summary>
    public const string ProgressSuffix = ".progress";

    /// <summary>What a marker records.</summary>
    /// <param name="Rows">Input rows done.</param>
    /// <param name="Bytes">Bytes of the partial output that hold them.</param>
    /// <param name="Counts">The job's running totals (empty when none were written).</param>
    public readonly record struct State(long Rows, long Bytes, IReadOnlyDictionary<string, long> Counts);

    /// <summary>Reads <paramref name="marker"/> and checks that its settings equal <paramref name="settings"/>
    /// (a mismatch throws <see cref="ConfigurationException"/> for <c>--resume</c>).</summary>
    public static State Read(string marker, IReadOnlyDictionary<string, string> settings)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(marker));
            var root = doc.RootElement;
            foreach (var (key, value) in settings)
            {
                string found = root.TryGetProperty(key, out var v) ? v.GetString() ?? "" : "";
                if (found != value)
                    throw new ConfigurationException("--resume", $"the interrupted run had {key} '{found}', this one '{value}' ({marker}); use the same settings or start over without --resume.");
            }
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            if (root.TryGetProperty("counts", out var c))
                foreach (var p in c.EnumerateObject()) counts[p.Name] = p.Value.GetInt64();
            return new State(root.GetProperty("rows").GetInt64(), root.GetProperty("bytes").GetInt64(), counts);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DatasetFormatException(marker, 0, null, $"unreadable commit marker: {ex.Message}", ex);
        }
    }

    /// <summary>Replaces <paramref name="marker"/> atomically (temp file flushed to disk, then rename).</summary>
    public static void Write(string marker, IReadOnlyDictionary<string, string> settings, long rows, long bytes, IReadOnlyDictionary<string, long>? counts = null)
    {
        string temp = marker + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteNumber("rows", rows);
                json.WriteNumber("bytes", bytes);
                foreach (var (key, value) in settings) json.WriteString(key, value);
                if (counts is not null)
                {
                    json.WriteStartObject("counts");
                    foreach (var (key, value) in counts) json.WriteNumber(key, value);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, marker, overwrite: true);
    }
}
