using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Models;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// (<c>name → {dtype, shape, data_offsets}</c>, plus an optional <c>__metadata__</c> map of strings), then raw
/// little-endian tensor bytes. F32, F16 and BF16 (and F64 and integer tensors such as old <c>position_ids</c>)
/// are read as F32; writes are F32. Never executes code: the format is data only.
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest header accepted (the reference implementation uses the same 100 MB cap).</summary>
    const long MaxHeaderBytes = 100_000_000;

    /// <summary>Reads every tensor of <paramref name="path"/> as F32 parameters, keyed by name, in file order.</summary>
    /// <exception cref="ModelFormatException">The file is truncated, its header is malformed, a tensor's offsets
    /// are out of range, overlap or disagree with its dtype and shape, or a dtype is not supported.</exception>
    public static Dictionary<string, Parameter> Read(string path) => Read(path, out _);

    /// <summary>Reads every tensor of <paramref name="path"/> and the header's <c>__metadata__</c> strings (empty when absent).</summary>
    /// <exception cref="ModelFormatException">As for <see cref="Read(string)"/>.</exception>
    public static Dictionary<string, Parameter> Read(string path, out IReadOnlyDictionary<string, string> metadata)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "file not found.");
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8)
            throw new ModelFormatException(path, $"truncated: a safetensors file starts with an 8-byte header length, the file has {fileLength} bytes.");

        Span<byte> lengthBytes = stackalloc byte[8];
        ReadExactly(handle, lengthBytes, 0, path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
            throw new ModelFormatException(path, $"header length {headerLength} is longer than the rest of the file ({fileLength - 8} bytes); the file is truncated or not safetensors.");
        if ((long)headerLength > MaxHeaderBytes)
            throw new ModelFormatException(path, $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit.");

        var header = new byte[headerLength];
        ReadExactly(handle, header, 8, path);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        var entries = ParseHeader(path, header, out metadata);
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));

        long previousEnd = 0; string? previousName = null;
        foreach (var e in entries)
        {
            if (e.End > dataLength)
                throw new ModelFormatException(path, $"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] run past the end of the data ({dataLength} bytes); the file is truncated.");
            if (e.Begin < previousEnd && e.End > e.Begin)
                throw new ModelFormatException(path, $"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] overlap tensor '{previousName}' (ends at {previousEnd}).");
            if (e.End > previousEnd) { previousEnd = e.End; previousName = e.Name; }
        }

        var result = new Dictionary<string, Parameter>(entries.Count, StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var values = new float[e.Count];
            ReadTensor(handle, dataStart + e.Begin, e, values, path);
            result.Add(e.Name, new Parameter(e.Name, e.Shape, values));
        }
        return result;
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> as F32 to <paramref name="path"/> atomically (temp file in the same folder,
    /// then rename). Tensors are written in ordinal name order, so equal inputs give identical bytes; the header is
    /// padded with spaces to a multiple of 8 bytes.
    /// </summary>
    /// <exception cref="ArgumentException">Two tensors share a name, or a name is <c>__metadata__</c>.</exception>
    public static void Write(string path, IEnumerable<Parameter> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var sorted = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        for (int i = 0; i < sorted.Count; i++)
        {
            if (sorted[i].Name == "__metadata__") throw new ArgumentException("A tensor may not be named '__metadata__'.", nameof(tensors));
            if (i > 0 && sorted[i].Name == sorted[i - 1].Name) throw new ArgumentException($"Two tensors are named '{sorted[i].Name}'.", nameof(tensors));
        }

        byte[] header = BuildHeader(sorted, metadata);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> lengthBytes = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)header.Length);
                stream.Write(lengthBytes);
                stream.Write(header);
                foreach (var t in sorted)
                {
                    if (BitConverter.IsLittleEndian) stream.Write(MemoryMarshal.AsBytes(t.Value.AsSpan()));
                    else
                    {
                        var buffer = new byte[4];
                        foreach (var v in t.Value) { BinaryPrimitives.WriteSingleLittleEndian(buffer, v); stream.Write(buffer); }
                    }
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    sealed record Entry(string Name, string Dtype, int[] Shape, long Count, long Begin, long End);

    static int DtypeSize(string dtype) => dtype switch
    {
        "F32" or "I32" => 4,
        "F16" or "BF16" or "I16" => 2,
        "F64" or "I64" => 8,
        "I8" or "U8" => 1,
        _ => 0,
    };

    static List<Entry> ParseHeader(string path, byte[] header, out IReadOnlyDictionary<string, string> metadata)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); }
        catch (JsonException ex) { throw new ModelFormatException(path, $"the header is not valid JSON: {ex.Message}", ex); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelFormatException(path, $"the header must be a JSON object, found {doc.RootElement.ValueKind}.");
            var meta = new Dictionary<string, string>(StringComparer.Ordinal);
            metadata = meta;
            var entries = new List<Entry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                string name = property.Name;
                if (!seen.Add(name)) throw new ModelFormatException(path, $"tensor '{name}' appears twice in the header.");
                if (name == "__metadata__")
                {
                    if (property.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in property.Value.EnumerateObject())
                            if (m.Value.ValueKind == JsonValueKind.String) meta[m.Name] = m.Value.GetString()!;
                    continue;
                }
                entries.Add(ParseEntry(path, name, property.Value));
            }
            return entries;
        }
    }

    static Entry ParseEntry(string path, string name, JsonElement e)
    {
        string Where(string field) => $"tensor '{name}': {field}";
        if (e.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException(path, $"{Where("entry")} must be an object with dtype, shape and data_offsets, found {e.ValueKind}.");
        if (!e.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new ModelFormatException(path, $"{Where("dtype")} is missing or not a string.");
        string dtype = dtypeElement.GetString()!;
        int size = DtypeSize(dtype);
        if (size == 0)
            throw new ModelFormatException(path, $"{Where("dtype")} '{dtype}' is not supported (supported: F32, F16, BF16, F64, I64, I32, I16, I8, U8).");

        if (!e.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new ModelFormatException(path, $"{Where("shape")} is missing or not an array.");
        var shape = new int[shapeElement.GetArrayLength()];
        long count = 1;
        int k = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
                throw new ModelFormatException(path, $"{Where("shape")} must hold non-negative integers, found {d.GetRawText()}.");
            shape[k++] = dim;
            count *= dim;
            if (count > Array.MaxLength)
                throw new ModelFormatException(path, $"{Where("shape")} [{string.Join(",", shape.Take(k))}…] holds more values than one array can.");
        }

        if (!e.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
            throw new ModelFormatException(path, $"{Where("data_offsets")} is missing or not a [begin, end] pair.");
        var begin = offsetsElement[0]; var end = offsetsElement[1];
        if (!begin.TryGetInt64(out long b) || !end.TryGetInt64(out long en) || b < 0 || en < b)
            throw new ModelFormatException(path, $"{Where("data_offsets")} {offsetsElement.GetRawText()} must be integers with 0 ≤ begin ≤ end.");
        if (en - b != count * size)
            throw new ModelFormatException(path, $"{Where("data_offsets")} [{b}, {en}] span {en - b} bytes, but {dtype} [{string.Join(",", shape)}] needs {count * size}.");
        return new Entry(name, dtype, shape, count, b, en);
    }

    static void ReadTensor(SafeFileHandle handle, long offset, Entry e, float[] values, string path)
    {
        if (e.Count == 0) return;
        if (e.Dtype == "F32" && BitConverter.IsLittleEndian)
        {
            ReadExactly(handle, MemoryMarshal.AsBytes(values.AsSpan()), offset, path);
            return;
        }
        int size = DtypeSize(e.Dtype);
        // Convert in chunks so a large F16 tensor does not need a second full-size buffer.
        const int chunkValues = 1 << 16;
        var buffer = new byte[Math.Min(e.Count, chunkValues) * size];
        for (long done = 0; done < e.Count;)
        {
            int n = (int)Math.Min(chunkValues, e.Count - done);
            var bytes = buffer.AsSpan(0, n * size);
            ReadExactly(handle, bytes, offset + done * size, path);
            Convert(e.Dtype, bytes, values.AsSpan((int)done, n));
            done += n;
        }
    }

    static void Convert(string dtype, ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (dtype)
        {
            case "F32":
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(i * 4)..]);
                break;
            case "F16":
                if (BitConverter.IsLittleEndian) TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(src), dst);
                else for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[(i * 2)..]);
                break;
            case "BF16":
                for (int i = 0; i < dst.Length; i++)
                    dst[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(i * 2)..]) << 16);
                break;
            case "F64":
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src[(i * 8)..]);
                break;
            case "I64":
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt64LittleEndian(src[(i * 8)..]);
                break;
            case "I32":
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt32LittleEndian(src[(i * 4)..]);
                break;
            case "I16":
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt16LittleEndian(src[(i * 2)..]);
                break;
            case "I8":
                for (int i = 0; i < dst.Length; i++) dst[i] = (sbyte)src[i];
                break;
            case "U8":
                for (int i = 0; i < dst.Length; i++) dst[i] = src[i];
                break;
            default:
                throw new InvalidOperationException($"unexpected dtype {dtype}");
        }
    }

    static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        while (buffer.Length > 0)
        {
            int n = RandomAccess.Read(handle, buffer, offset);
            if (n <= 0) throw new ModelFormatException(path, $"truncated: unexpected end of file at byte {offset}.");
            buffer = buffer[n..];
            offset += n;
        }
    }

    static byte[] BuildHeader(List<Parameter> sorted, IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var kv in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in sorted)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                long bytes = (long)t.Value.Length * 4;
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        int length = (int)ms.Length;
        int padded = (length + 7) / 8 * 8;
        var header = new byte[padded];
        ms.GetBuffer().AsSpan(0, length).CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }
}
