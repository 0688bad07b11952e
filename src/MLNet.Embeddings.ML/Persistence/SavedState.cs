using System.Collections.Concurrent;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using MLNet.Embeddings.ML.Mapping;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Resolves the model state of a saved embedding stage (cached per process), and reads and writes the first saved
/// format, still used for <see cref="ModelStorage.Reference"/> and read for zips saved before the chunked format
/// (<see cref="ChunkedState"/>): the state as one text value of a one-entry ML.NET lookup table (MapValue) inside the zip. Layout, one item per line: the magic <c>MLNET-EMBEDDINGS-STATE/1</c>, the SHA-256
/// of the rest, the settings JSON, the storage (<c>embedded</c> or <c>reference:PATH</c>), then the base64 of a zip
/// of the model folder (embedded only). ML.NET hands the same text to every row by reference (text values of a
/// lookup are not copied), so a row costs a weak-table look-up; the model is decoded and loaded once per process.
/// The text is built once per model (<see cref="StageState.SavedText"/>) in one allocation; ML.NET's own copies
/// of it (MapValue serialises it when made and again when loaded) are measured in docs/ml.md.
/// </summary>
internal static class SavedState
{
    const string Magic = "MLNET-EMBEDDINGS-STATE/1";
    const long MaxChars = 1_000_000_000; // .NET strings stop at about 2^30 chars
    static readonly ConcurrentDictionary<string, Lazy<StageState>> Loaded = new(StringComparer.Ordinal);
    // the state of each text seen, keyed weakly by the string ML.NET holds (a row costs one table look-up; the text
    // itself, hundreds of MB for a transformer, is not kept alive once its pipeline is gone)
    static readonly ConditionalWeakTable<string, StageState> Seen = new();

    /// <summary>
    /// Builds the state text. The model folder is zipped to a temporary file, hashed in one pass and base64-encoded
    /// straight into the one string returned (no byte[] or intermediate string of the model's size).
    /// </summary>
    public static string Build(StageState state)
    {
        if (state is EmbeddingState { Remote: { } remote })
        {
            string body = state.SettingsJson() + "\n" + "remote:" + RemoteName(remote) + "\n"; // the key stays out: settings keep its variable's name
            return Magic + "\n" + Hash(body) + "\n" + body;
        }
        if (state.Storage == ModelStorage.Reference)
        {
            if (state.SourcePath is null)
                throw new ConfigurationException(nameof(ApplyEmbeddingOptions.Storage), "ModelStorage.Reference needs a model on disk; set FineTuneEmbeddingOptions.OutputModelPath so the tuned model is written first.");
            string body = state.SettingsJson() + "\n" + "reference:" + state.SourcePath + "\n";
            return Magic + "\n" + Hash(body) + "\n" + body;
        }
        string zip = Path.Combine(Path.GetTempPath(), "mlnet-embeddings", "pack-" + Guid.NewGuid().ToString("N") + ".zip");
        try
        {
            string json = Pack(state, zip); // the backend may change settings (the ONNX file name inside the zip)
            long length = new FileInfo(zip).Length, chars = (length + 2) / 3 * 4;
            if (chars > MaxChars)
                throw new ConfigurationException(nameof(ApplyEmbeddingOptions.Storage),
                    $"the packed model is {length / (1 << 20)} MB, too big to travel inside the ML.NET zip (limit about 750 MB); use ModelStorage.Reference and keep the model folder beside the zip.");
            string head = json + "\nembedded\n";
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(Encoding.UTF8.GetBytes(head));
            var buffer = new byte[ChunkBytes];
            var ascii = new byte[ChunkBytes / 3 * 4];
            using (var f = OpenSequential(zip))
                for (int n; (n = f.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0;)
                {
                    System.Buffers.Text.Base64.EncodeToUtf8(buffer.AsSpan(0, n), ascii, out _, out int w);
                    sha.AppendData(ascii, 0, w);
                }
            string prefix = Magic + "\n" + Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant() + "\n" + head;
            return string.Create(checked(prefix.Length + (int)chars), (prefix, zip, buffer), static (span, s) =>
            {
                s.prefix.AsSpan().CopyTo(span);
                var rest = span[s.prefix.Length..];
                using var f = OpenSequential(s.zip);
                for (int n; (n = f.ReadAtLeast(s.buffer, s.buffer.Length, throwOnEndOfStream: false)) > 0; rest = rest[((n + 2) / 3 * 4)..])
                    if (!Convert.TryToBase64Chars(s.buffer.AsSpan(0, n), rest, out _)) throw new IOException($"{s.zip} grew while it was encoded.");
                if (rest.Length != 0) throw new IOException($"{s.zip} shrank while it was encoded.");
            });
        }
        finally { try { File.Delete(zip); } catch (IOException) { } }
    }

    static string RemoteName(GeneratorModel remote) => remote.Name ?? throw new ConfigurationException("generator",
        $"an embedding stage over an IEmbeddingGenerator instance ({remote.Where}) cannot be saved: the instance is not data. Make the stage from the name " +
        "openai:MODEL with ApplyEmbeddingOptions.Remote (endpoint, API-key variable); that saves the name and reloads by calling the endpoint again.");

    const int ChunkBytes = 3 * 16 * 1024; // a multiple of 3: base64 of consecutive full chunks = base64 of the whole

    static FileStream OpenSequential(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);

    /// <summary>The row function of the saved embedding stages: resolves the state (cached) and embeds one text.</summary>
    public static float[] Embed(EmbeddingInput row, int size)
    {
        var state = Resolve(row.State);
        if (state.Dimensions != size)
            throw new InvalidOperationException($"the saved model gives {state.Dimensions}-dimensional vectors but its stage was saved for {size}; the zip is inconsistent.");
        return state.Encode(row.Text.ToString());
    }

    /// <summary>The embedding model of a state text (see <see cref="ResolveAny"/>).</summary>
    public static EmbeddingState Resolve(ReadOnlyMemory<char> text) => ResolveAny(text) as EmbeddingState
        ?? throw new InvalidOperationException("the model state found by an embedding stage is not an embedding model's; the saved chain was edited.");

    /// <summary>The model of a state text (an embedding or a relevance stage's), loaded once per process and cached per text.</summary>
    public static StageState ResolveAny(ReadOnlyMemory<char> text)
    {
        bool whole = MemoryMarshal.TryGetString(text, out string? owner, out int start, out int length) && start == 0 && length == owner.Length;
        if (whole && Seen.TryGetValue(owner!, out var seen)) return seen;
        var span = text.Span;
        if (span.Length == 0)
            throw new InvalidOperationException("the embedding stage found no model state (the lookup table of the saved chain is missing or was edited).");
        if (ChunkedState.Header.Is(span)) return Cache(whole ? owner : null, ResolveHeader(ChunkedState.Header.Parse(span)));
        int a = span.IndexOf('\n'), b = a < 0 ? -1 : span[(a + 1)..].IndexOf('\n');
        if (a < 0 || b < 0 || !span[..a].SequenceEqual(Magic))
            throw new InvalidOperationException($"the embedding stage's model state does not start with '{Magic}'; the zip was not written by this library or is damaged.");
        string id = span.Slice(a + 1, b).ToString();
        var lazy = Loaded.GetOrAdd(id, _ => new Lazy<StageState>(() => Open(id, text[(a + b + 2)..])));
        StageState state;
        try { state = lazy.Value; }
        catch { Loaded.TryRemove(new KeyValuePair<string, Lazy<StageState>>(id, lazy)); throw; } // a later call may succeed (e.g. the model folder was put back)
        return Cache(whole ? owner : null, state);
    }

    static StageState Cache(string? owner, StageState state)
    {
        if (owner is not null) Seen.AddOrUpdate(owner, state);
        return state;
    }

    /// <summary>
    /// Whether the model of a state text can be had without its packed bytes: loaded in this process, unpacked in the
    /// cache directory, or carried by the text itself (the one-text format and references).
    /// </summary>
    public static bool IsAvailable(ReadOnlyMemory<char> text)
    {
        if (MemoryMarshal.TryGetString(text, out string? owner, out int start, out int length) && start == 0 && length == owner.Length && Seen.TryGetValue(owner, out _)) return true;
        if (!ChunkedState.Header.Is(text.Span)) return true;
        string id = ChunkedState.Header.Parse(text.Span).Id;
        return Loaded.TryGetValue(id, out var lazy) && lazy.IsValueCreated || File.Exists(Path.Combine(SavedModelLocator.CacheDirectory, id, ".complete"));
    }

    /// <summary>The model of a chunked header, loaded from the cache directory (where its chunks were unpacked).</summary>
    static StageState ResolveHeader(ChunkedState.Header h)
    {
        var lazy = Loaded.GetOrAdd(h.Id, id => new Lazy<StageState>(() =>
        {
            string folder = Path.Combine(SavedModelLocator.CacheDirectory, id);
            if (!File.Exists(Path.Combine(folder, ".complete")))
                throw new InvalidOperationException("the embedding stage's model is not unpacked in this process: the chunk stages of the saved chain did not run, are missing or were edited.");
            return StageState.LoadPacked(folder, h.Json);
        }));
        try { return lazy.Value; }
        catch { Loaded.TryRemove(new KeyValuePair<string, Lazy<StageState>>(h.Id, lazy)); throw; }
    }

    static StageState Open(string id, ReadOnlyMemory<char> body)
    {
        var span = body.Span;
        if (Hash(span) != id)
            throw new InvalidDataException($"the embedding model stored in the zip is corrupt: checksum {id[..12]}… does not match its content.");
        int a = span.IndexOf('\n');
        int b = span[(a + 1)..].IndexOf('\n');
        string settings = span[..a].ToString();
        string storage = span.Slice(a + 1, b).ToString();
        if (storage.StartsWith("remote:", StringComparison.Ordinal)) // calls the endpoint again, with the key from the saved variable
            return EmbeddingState.Load(storage["remote:".Length..], ApplyEmbeddingOptions.FromJson(settings));
        if (storage.StartsWith("reference:", StringComparison.Ordinal))
            return StageState.Load(SavedModelLocator.Resolve(storage["reference:".Length..]), settings);
        if (storage != "embedded") throw new InvalidDataException($"unknown model storage '{storage}' in the saved embedding state.");
        string folder = Unpack(id, span[(a + b + 2)..]);
        return StageState.LoadPacked(folder, settings);
    }

    /// <summary>
    /// Writes the model folder, as the stage packs it (<see cref="StageState.Pack"/>), as a zip at <paramref name="zip"/>;
    /// returns the settings line that loads it.
    /// </summary>
    internal static string Pack(StageState state, string zip)
    {
        string tmp = Path.ChangeExtension(zip, null);
        try
        {
            Directory.CreateDirectory(tmp);
            string json = state.Pack(tmp);
            ZipFile.CreateFromDirectory(tmp, zip, CompressionLevel.Fastest, includeBaseDirectory: false);
            return json;
        }
        finally { try { Directory.Delete(tmp, true); } catch (IOException) { } }
    }

    /// <summary>A new temporary zip path in the cache directory, for the model <paramref name="id"/>.</summary>
    internal static string TempZip(string id)
    {
        Directory.CreateDirectory(SavedModelLocator.CacheDirectory);
        return Path.Combine(SavedModelLocator.CacheDirectory, id + ".tmp-" + Guid.NewGuid().ToString("N") + ".zip");
    }

    static string Unpack(string id, ReadOnlySpan<char> base64)
    {
        string final = Path.Combine(SavedModelLocator.CacheDirectory, id);
        if (File.Exists(Path.Combine(final, ".complete"))) return final;
        string zip = TempZip(id);
        try
        {
            using (var f = new FileStream(zip, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                var bytes = new byte[ChunkBytes];
                const int chars = ChunkBytes / 3 * 4; // decode in whole base64 quanta, straight to the file
                for (int i = 0; i < base64.Length; i += chars)
                {
                    if (!Convert.TryFromBase64Chars(base64.Slice(i, Math.Min(chars, base64.Length - i)), bytes, out int n))
                        throw new InvalidDataException("the embedding model stored in the zip is not valid base64.");
                    f.Write(bytes, 0, n);
                }
            }
            return Extract(id, zip);
        }
        finally { try { File.Delete(zip); } catch (IOException) { } }
    }

    /// <summary>Extracts the packed model folder <paramref name="zip"/> into the cache directory as <paramref name="id"/>, atomically.</summary>
    internal static string Extract(string id, string zip)
    {
        string final = Path.Combine(SavedModelLocator.CacheDirectory, id);
        lock (ExtractGates.GetOrAdd(id, _ => new object())) // parallel cursors of this process reach the first row together
        {
            if (File.Exists(Path.Combine(final, ".complete"))) return final;
            string tmp = final + ".tmp-" + Guid.NewGuid().ToString("N");
            ZipFile.ExtractToDirectory(zip, tmp);
            File.WriteAllText(Path.Combine(tmp, ".complete"), id);
            try
            {
                // a folder without the marker is what a killed extraction left; a complete one may be in use: never delete it
                if (Directory.Exists(final) && !File.Exists(Path.Combine(final, ".complete"))) Directory.Delete(final, true);
                Directory.Move(tmp, final);
            }
            catch (IOException) when (File.Exists(Path.Combine(final, ".complete"))) { Directory.Delete(tmp, true); } // another process won the race
            return final;
        }
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> ExtractGates = new();

    static string Hash(ReadOnlySpan<char> text)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> buf = stackalloc byte[4096 * 3];
        for (int i = 0; i < text.Length; i += 4096)
        {
            var chunk = text.Slice(i, Math.Min(4096, text.Length - i));
            int w = Encoding.UTF8.GetBytes(chunk, buf);
            sha.AppendData(buf[..w]);
        }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }
}
