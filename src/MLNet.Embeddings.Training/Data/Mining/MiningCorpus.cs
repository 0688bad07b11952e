using System.Text.Json;

namespace MLNet.Embeddings.Training.Data.Mining;

/// <summary>
/// The texts negatives are drawn from, de-duplicated by <see cref="TextNormalizer.Key"/> (first spelling kept).
/// By default the positives of the dataset; or a corpus file: <c>.txt</c> one text per line, JSONL with a
/// <c>"text"</c> field per line (FlagEmbedding's candidate pool), or training rows (their positives and negatives).
/// </summary>
public sealed class MiningCorpus
{
    private readonly List<string> _texts = new();
    private readonly List<ulong> _keys = new();
    private readonly Dictionary<ulong, int> _byKey = new();

    /// <summary>The distinct texts; ids are positions.</summary>
    public IReadOnlyList<string> Texts => _texts;

    /// <summary>Number of distinct texts.</summary>
    public int Count => _texts.Count;

    /// <summary>Adds a text unless an equal one (by key) is already there; returns its id.</summary>
    public int Add(string text)
    {
        var k = KeyHash(text);
        if (_byKey.TryGetValue(k, out int id)) return id;
        id = _texts.Count;
        _texts.Add(text);
        _keys.Add(k);
        _byKey[k] = id;
        return id;
    }

    /// <summary>The id of a text equal (by key) to <paramref name="text"/>, or −1.</summary>
    public int Find(string text) => _byKey.TryGetValue(KeyHash(text), out int id) ? id : -1;

    internal ulong KeyOf(int id) => _keys[id];

    /// <summary>Corpus of every positive of <paramref name="rows"/>.</summary>
    public static MiningCorpus FromPositives(IEnumerable<TrainingExample> rows)
    {
        var c = new MiningCorpus();
        foreach (var r in rows) foreach (var p in r.Pos) c.Add(p);
        return c;
    }

    /// <summary>Reads a corpus file (see the type's summary for the formats).</summary>
    public static MiningCorpus Load(string path)
    {
        var c = new MiningCorpus();
        if (!File.Exists(path)) throw new DatasetFormatException(path, 0, null, "corpus file not found");
        using var reader = TrainingDataReader.OpenText(path);
        bool text = TrainingDataReader.IsTextFile(path);
        string? line;
        int n = 0;
        var problems = new List<DatasetProblem>();
        while ((line = reader.ReadLine()) is not null)
        {
            n++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (text) { c.Add(line.Trim()); continue; }
            if (line.Contains("\"text\"", StringComparison.Ordinal))
            {
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("text", out var t))
                    {
                        if (t.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(t.GetString()))
                            throw new DatasetFormatException(path, n, "text", "expected a non-empty string");
                        c.Add(t.GetString()!);
                        continue;
                    }
                }
                catch (JsonException e) { throw new DatasetFormatException(path, n, null, DatasetFormatException.InvalidJson(e), e); }
            }
            problems.Clear();
            var ex = TrainingDataReader.ParseJsonLine(line, n, problems);
            if (ex is null) throw problems[0].ToException(path);
            foreach (var p in ex.Pos) c.Add(p);
            foreach (var p in ex.Neg) c.Add(p);
        }
        return c;
    }

    internal static ulong KeyHash(string text)
    {
        var key = TextNormalizer.Key(text);
        ulong h = 14695981039346656037UL;
        foreach (char ch in key) { h ^= ch; h *= 1099511628211UL; }
        h ^= (ulong)key.Length;
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
        return h ^ (h >> 31);
    }
}
