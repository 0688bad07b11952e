using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace MLNet.Embeddings.Training.Monitoring;

/// <summary>
/// Writes a TensorBoard event file (<c>events.out.tfevents.*</c>) of scalars: TFRecord framing (length, masked CRC32C
/// of the length, the record, masked CRC32C of the record) around <c>tensorflow.Event</c> protobuf messages, the first
/// carrying <c>file_version "brain.Event:2"</c>, every later one a <c>Summary</c> with one
/// <c>Value { tag, simple_value }</c>. Each event is flushed as written, so TensorBoard shows a run while it trains.
/// </summary>
public sealed class TensorBoardEventWriter : IDisposable
{
    readonly FileStream _file;

    /// <summary>Creates a new event file in <paramref name="directory"/> (created when missing).</summary>
    public TensorBoardEventWriter(string directory)
    {
        Directory.CreateDirectory(directory);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string name = $"events.out.tfevents.{now}.{Environment.MachineName}.{Environment.ProcessId}.{Guid.NewGuid():N}";
        Path = System.IO.Path.Combine(directory, name);
        _file = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        var e = new List<byte>();
        WallTime(e);
        Tag(e, 3, 2); Bytes(e, Encoding.UTF8.GetBytes("brain.Event:2"));
        Record(e.ToArray());
    }

    /// <summary>The event file's path.</summary>
    public string Path { get; }

    /// <summary>Appends the scalar <paramref name="value"/> under <paramref name="tag"/> at <paramref name="step"/>.</summary>
    public void AddScalar(string tag, float value, long step)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        var v = new List<byte>();
        Tag(v, 1, 2); Bytes(v, Encoding.UTF8.GetBytes(tag));
        Tag(v, 2, 5); Span<byte> f = stackalloc byte[4]; BinaryPrimitives.WriteSingleLittleEndian(f, value); v.AddRange(f.ToArray());
        var summary = new List<byte>();
        Tag(summary, 1, 2); Bytes(summary, v.ToArray());
        var e = new List<byte>();
        WallTime(e);
        Tag(e, 2, 0); Varint(e, (ulong)step);
        Tag(e, 5, 2); Bytes(e, summary.ToArray());
        Record(e.ToArray());
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();

    void Record(byte[] data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(data));
        _file.Write(header); _file.Write(data); _file.Write(footer);
        _file.Flush();
    }

    /// <summary>CRC32C (Castagnoli), masked as TFRecord does: <c>((crc &gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xa282ead8</c>.</summary>
    internal static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    static void WallTime(List<byte> e)
    {
        Tag(e, 1, 1);
        Span<byte> d = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(d, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        e.AddRange(d.ToArray());
    }

    static void Tag(List<byte> o, int field, int wire) => Varint(o, (ulong)((field << 3) | wire));

    static void Bytes(List<byte> o, byte[] b) { Varint(o, (ulong)b.Length); o.AddRange(b); }

    static void Varint(List<byte> o, ulong v)
    {
        while (v >= 0x80) { o.Add((byte)(v | 0x80)); v >>= 7; }
        o.Add((byte)v);
    }
}
