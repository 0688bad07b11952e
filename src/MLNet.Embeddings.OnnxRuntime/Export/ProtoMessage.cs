using Google.Protobuf;

namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>
/// A protobuf message built bottom-up with sizes known as it grows, so the whole model streams to disk in one pass
/// without serialising any sub-message twice. Bulk tensor bytes are written straight to the stream, never copied
/// into protobuf buffers. Field numbers are onnx.proto's (see the writers in <see cref="OnnxGraph"/>).
/// A child must not change after it is added to a parent.
/// </summary>
internal sealed class ProtoMessage
{
    readonly List<Action<CodedOutputStream, Stream>> _writers = new();

    /// <summary>Serialised size in bytes.</summary>
    public long Size { get; private set; }

    public ProtoMessage Int64(int field, long value)
    {
        Size += CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeInt64Size(value);
        _writers.Add((o, _) => { o.WriteTag(field, WireFormat.WireType.Varint); o.WriteInt64(value); });
        return this;
    }

    public ProtoMessage Float(int field, float value)
    {
        Size += CodedOutputStream.ComputeTagSize(field) + 4;
        _writers.Add((o, _) => { o.WriteTag(field, WireFormat.WireType.Fixed32); o.WriteFloat(value); });
        return this;
    }

    public ProtoMessage String(int field, string value)
    {
        Size += CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeStringSize(value);
        _writers.Add((o, _) => { o.WriteTag(field, WireFormat.WireType.LengthDelimited); o.WriteString(value); });
        return this;
    }

    public ProtoMessage Message(int field, ProtoMessage child)
    {
        long size = child.Size;
        if (size > int.MaxValue) throw new InvalidOperationException("A protobuf message cannot exceed 2 GB; use external data.");
        Size += CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeLengthSize((int)size) + size;
        _writers.Add((o, s) => { o.WriteTag(field, WireFormat.WireType.LengthDelimited); o.WriteLength((int)size); child.WriteTo(o, s); });
        return this;
    }

    /// <summary>A bytes field whose content is written by <paramref name="write"/> directly to the stream.</summary>
    public ProtoMessage Bytes(int field, long length, Action<Stream> write)
    {
        if (length > int.MaxValue) throw new InvalidOperationException("A protobuf bytes field cannot exceed 2 GB; use external data.");
        Size += CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeLengthSize((int)length) + length;
        _writers.Add((o, s) =>
        {
            o.WriteTag(field, WireFormat.WireType.LengthDelimited);
            o.WriteLength((int)length);
            o.Flush();
            long before = s.Position;
            write(s);
            if (s.Position - before != length) throw new InvalidOperationException($"bytes field {field}: wrote {s.Position - before} bytes, announced {length}.");
        });
        return this;
    }

    public void WriteTo(CodedOutputStream output, Stream stream)
    {
        foreach (var w in _writers) w(output, stream);
    }

    /// <summary>Writes the message as a whole file to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        using var output = new CodedOutputStream(stream, leaveOpen: true);
        WriteTo(output, stream);
        output.Flush();
    }
}
