using System.Collections.Concurrent;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.ML.Mapping;

namespace MLNet.Embeddings.ML;

/// <summary>
/// The saved state of a text-classifier stage, carried like an embedding model's one-text state (<see cref="SavedState"/>):
/// one text value of a one-entry lookup, <c>MLNET-CLASSIFIER-STATE/1</c>, the SHA-256 of the rest, the settings JSON
/// (<c>pair</c>, <c>max_length</c>), then the base64 of a zip of the classifier's Hugging Face folder. The folder is
/// unpacked once per process into the same cache directory (<see cref="SavedState.Extract"/>) and loaded once.
/// </summary>
internal static class ClassifierState
{
    const string Magic = "MLNET-CLASSIFIER-STATE/1";
    const long MaxBytes = 750L << 20;
    static readonly ConcurrentDictionary<string, Lazy<LiveClassifier>> Loaded = new(StringComparer.Ordinal);
    static readonly ConditionalWeakTable<string, LiveClassifier> Seen = new();

    /// <summary>Packs the classifier into the state text.</summary>
    public static string Build(LiveClassifier classifier)
    {
        string root = Path.Combine(Path.GetTempPath(), "mlnet-embeddings", "classifier-" + Guid.NewGuid().ToString("N"));
        try
        {
            string folder = Path.Combine(root, "model"), zip = Path.Combine(root, "model.zip");
            classifier.Model.Save(folder);
            ZipFile.CreateFromDirectory(folder, zip, CompressionLevel.Fastest, includeBaseDirectory: false);
            long length = new FileInfo(zip).Length;
            if (length > MaxBytes)
                throw new ConfigurationException("TextClassifier", $"the packed classifier is {length >> 20} MB, too big to travel inside the ML.NET zip (limit about 750 MB).");
            var settings = new JsonObject { ["pair"] = classifier.Pair, ["max_length"] = classifier.MaxLength };
            string body = settings.ToJsonString() + "\n" + Convert.ToBase64String(File.ReadAllBytes(zip));
            return Magic + "\n" + Hash(body) + "\n" + body;
        }
        finally { try { Directory.Delete(root, true); } catch (IOException) { } }
    }

    /// <summary>The row function of the saved stage: resolves the classifier (cached) and classifies one row.</summary>
    public static (float[] Scores, ReadOnlyMemory<char> Label) Classify(ClassifierInput row, int labels)
    {
        var c = Resolve(row.State);
        if (c.Model.NumLabels != labels)
            throw new InvalidOperationException($"the saved classifier has {c.Model.NumLabels} labels but its stage was saved for {labels}; the zip is inconsistent.");
        return c.Classify(row.Text.ToString(), row.Second.ToString());
    }

    static LiveClassifier Resolve(ReadOnlyMemory<char> text)
    {
        bool whole = MemoryMarshal.TryGetString(text, out string? owner, out int start, out int length) && start == 0 && length == owner.Length;
        if (whole && Seen.TryGetValue(owner!, out var seen)) return seen;
        var span = text.Span;
        int a = span.IndexOf('\n'), b = a < 0 ? -1 : span[(a + 1)..].IndexOf('\n');
        if (a < 0 || b < 0 || !span[..a].SequenceEqual(Magic))
            throw new InvalidOperationException($"the text-classifier stage's state does not start with '{Magic}'; the zip was not written by this library or is damaged.");
        string id = span.Slice(a + 1, b).ToString();
        var lazy = Loaded.GetOrAdd(id, _ => new Lazy<LiveClassifier>(() => Open(id, text[(a + b + 2)..])));
        LiveClassifier state;
        try { state = lazy.Value; }
        catch { Loaded.TryRemove(new KeyValuePair<string, Lazy<LiveClassifier>>(id, lazy)); throw; }
        if (whole) Seen.AddOrUpdate(owner!, state);
        return state;
    }

    static LiveClassifier Open(string id, ReadOnlyMemory<char> body)
    {
        var span = body.Span;
        if (Hash(span) != id) throw new InvalidDataException($"the classifier stored in the zip is corrupt: checksum {id[..12]}… does not match its content.");
        int a = span.IndexOf('\n');
        var settings = JsonNode.Parse(span[..a].ToString())!;
        string folder = Path.Combine(SavedModelLocator.CacheDirectory, id);
        if (!File.Exists(Path.Combine(folder, ".complete")))
        {
            string zip = SavedState.TempZip(id);
            try
            {
                File.WriteAllBytes(zip, Convert.FromBase64String(span[(a + 1)..].ToString()));
                folder = SavedState.Extract(id, zip);
            }
            finally { try { File.Delete(zip); } catch (IOException) { } }
        }
        return new LiveClassifier(CrossEncoder.Load(folder), (bool)settings["pair"]!, (int?)settings["max_length"]);
    }

    static string Hash(ReadOnlySpan<char> text)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> buf = stackalloc byte[4096 * 3];
        for (int i = 0; i < text.Length; i += 4096)
        {
            var chunk = text.Slice(i, Math.Min(4096, text.Length - i));
            sha.AppendData(buf[..Encoding.UTF8.GetBytes(chunk, buf)]);
        }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }
}
