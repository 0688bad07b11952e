using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML.Mapping;

namespace MLNet.Embeddings.ML;

/// <summary>
/// The saved form of an embedded model: a header text (magic <c>MLNET-EMBEDDINGS-STATE/2</c>, the SHA-256 of the
/// settings line and the packed bytes, the settings JSON, <c>chunks:COUNT:BYTES</c>) in a one-entry lookup, and the
/// packed model folder (a zip) as byte vectors, one ML.NET lookup per chunk (at most <see cref="MaxChunks"/>):
/// <code>
/// MapValue(__key → __state: header) → Need(__state → __need) → [MapValue(__need → __chunkI) → Collect]×COUNT →
/// Concatenate(__blob ← __chunk0…) → Assemble(__state, __blob → __state) → DropColumns
/// </code>
/// ML.NET keeps two copies of what a lookup carries after it is loaded (its table and the bytes it saves again) and
/// allocates about 24 bytes per byte while loading one; one lookup per chunk, each followed by a stage whose load
/// collects that garbage, keeps the peak of <c>ml.Model.Load</c> near the two copies (measured in docs/ml.md). Rows
/// ask for the chunks (<c>__need</c> = 1) only until the model is unpacked in this process; later rows get empty
/// vectors, so a row costs a few table look-ups.
/// </summary>
internal static class ChunkedState
{
    public const string Magic = "MLNET-EMBEDDINGS-STATE/2";
    /// <summary>Most chunks per model (each is a stage pair in the saved chain).</summary>
    public const int MaxChunks = 128;
    /// <summary>Smallest chunk, so that small models stay one or a few stages.</summary>
    public const int MinChunkBytes = 128 << 10;
    const long CollectEvery = 4 << 20;
    static long _collectedAt;

    /// <summary>The lookup stages of an embedded model (built once per model: ML.NET serialises each chunk when its lookup is made).</summary>
    public static IEstimator<ITransformer> Stages(StageState state, Action<int, byte[]>? damage = null)
    {
        string zip = Path.Combine(Path.GetTempPath(), "mlnet-embeddings", "pack-" + Guid.NewGuid().ToString("N") + ".zip");
        var ml = new MLContext();
        try
        {
            string json = SavedState.Pack(state, zip); // the packed settings (may differ from the stage's: the ONNX file name inside the zip)
            long length = new FileInfo(zip).Length;
            if (length > Array.MaxLength)
                throw new ConfigurationException(nameof(ApplyEmbeddingOptions.Storage),
                    $"the packed model is {length / (1 << 20)} MB, too big to travel inside the ML.NET zip (limit 2 GB, one .NET array); use ModelStorage.Reference and keep the model folder beside the zip.");
            int chunk = (int)Math.Max(MinChunkBytes, (length + MaxChunks - 1) / MaxChunks);
            int count = (int)((length + chunk - 1) / chunk);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(Encoding.UTF8.GetBytes(json + "\n"));
            var names = new string[count];
            var parts = new List<IEstimator<ITransformer>> { ml.Transforms.CustomMapping(new NeedFactory().GetMapping(), NeedFactory.Contract) };
            using (var f = new FileStream(zip, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
                for (int i = 0; i < count; i++)
                {
                    var bytes = new byte[(int)Math.Min(chunk, length - (long)i * chunk)];
                    f.ReadExactly(bytes);
                    sha.AppendData(bytes);
                    damage?.Invoke(i, bytes); // tests: a chunk damaged after its checksum was taken
                    names[i] = MappingColumns.Chunk + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    // a variable-size vector column, so that a row with __need = 0 gets an empty vector (the missing value)
                    var lookup = ml.Data.LoadFromEnumerable(new[] { new ChunkRow { Key = KeyFactory.Value, Bytes = bytes } });
                    parts.Add(ml.Transforms.Conversion.MapValue(names[i], lookup, lookup.Schema[nameof(ChunkRow.Key)], lookup.Schema[nameof(ChunkRow.Bytes)], MappingColumns.Need));
                    parts.Add(ml.Transforms.CustomMapping<NeedOutput, CollectOutput>(static (_, o) => o.Value = 0f, CollectFactory.Contract));
                    CollectLoadGarbage(); // making a lookup allocates about as much as loading one
                }
            string header = Magic + "\n" + Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant() + "\n" + json + "\n"
                + $"chunks:{count}:{length}\n";
            parts.Insert(0, ml.Transforms.Conversion.MapValue(MappingColumns.State, new[] { new KeyValuePair<float, string>(KeyFactory.Value, header) }, MappingColumns.Key));
            parts.Add(ml.Transforms.Concatenate(MappingColumns.Blob, names));
            parts.Add(ml.Transforms.CustomMapping(new AssembleFactory().GetMapping(), AssembleFactory.Contract));
            parts.Add(ml.Transforms.DropColumns([MappingColumns.Need, MappingColumns.Collect, MappingColumns.Blob, .. names]));
            return new StepwiseEstimator(parts);
        }
        finally { try { File.Delete(zip); } catch (IOException) { } }
    }

    /// <summary>Runs a blocking, compacting GC that returns freed memory to the system when at least 4 MB were allocated since the last one (a chunk lookup was just made or loaded).</summary>
    public static void CollectLoadGarbage()
    {
        long now = GC.GetTotalAllocatedBytes();
        if (now - Interlocked.Read(ref _collectedAt) < CollectEvery) return;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Interlocked.Exchange(ref _collectedAt, GC.GetTotalAllocatedBytes());
    }

    /// <summary>Whether a row must still carry the packed model of <paramref name="header"/> (not loaded, not unpacked).</summary>
    public static bool Needs(ReadOnlyMemory<char> header) => !SavedState.IsAvailable(header);

    /// <summary>Unpacks <paramref name="blob"/> (when the model is not loaded yet), loads the model and hands the header on.</summary>
    public static ReadOnlyMemory<char> Assemble(ReadOnlyMemory<char> header, VBuffer<byte> blob)
    {
        if (!SavedState.IsAvailable(header))
        {
            var h = Header.Parse(header.Span);
            var bytes = blob.IsDense ? blob.GetValues() : blob.DenseValues().ToArray();
            if (bytes.Length != h.Length)
                throw new InvalidOperationException($"the embedding stage's packed model has {bytes.Length} bytes, its header says {h.Length}; the chunk stages of the saved chain are missing or were edited.");
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                sha.AppendData(Encoding.UTF8.GetBytes(h.Json + "\n"));
                sha.AppendData(bytes);
                if (Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant() != h.Id)
                    throw new InvalidDataException($"the embedding model stored in the zip is corrupt: checksum {h.Id[..12]}… does not match its content.");
            }
            string zip = SavedState.TempZip(h.Id);
            try
            {
                using (var f = new FileStream(zip, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1)) f.Write(bytes);
                SavedState.Extract(h.Id, zip);
            }
            finally { try { File.Delete(zip); } catch (IOException) { } }
        }
        SavedState.ResolveAny(header);
        return header;
    }

    /// <summary>One row of a chunk lookup: the key (1) and the chunk's bytes.</summary>
    sealed class ChunkRow
    {
        public float Key { get; set; }
        public byte[] Bytes { get; set; } = [];
    }

    /// <summary>The parsed header of a saved embedded model.</summary>
    public readonly record struct Header(string Id, string Json, int Count, long Length)
    {
        public static bool Is(ReadOnlySpan<char> text) => text.StartsWith(Magic + "\n", StringComparison.Ordinal);

        public static Header Parse(ReadOnlySpan<char> text)
        {
            var lines = text.ToString().Split('\n');
            if (lines.Length < 4 || lines[0] != Magic || !lines[3].StartsWith("chunks:", StringComparison.Ordinal))
                throw new InvalidOperationException($"the embedding stage's model state is not a '{Magic}' header; the zip was not written by this library or is damaged.");
            var parts = lines[3].Split(':');
            return new Header(lines[1], lines[2], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
