namespace MLNet.Embeddings.OnnxRuntime.Import;

/// <summary>
/// A forward-only reader of protobuf wire format over an in-memory buffer: field tags, varints, fixed32/64 and
/// length-delimited slices (returned as views, never copied). Enough to read ONNX's ModelProto without generated code.
/// Malformed input throws <see cref="FormatException"/> with the byte offset.
/// </summary>
internal struct ProtoReader
{
    readonly ReadOnlyMemory<byte> _buffer;
    readonly long _base;
    int _pos;

    public ProtoReader(ReadOnlyMemory<byte> buffer, long baseOffset = 0) { _buffer = buffer; _base = baseOffset; _pos = 0; }

    /// <summary>Offset of the next byte, counted from the start of the file.</summary>
    public readonly long Offset => _base + _pos;

    /// <summary>Reads the next tag; false at the end of the buffer.</summary>
    public bool Next(out int field, out int wireType)
    {
        if (_pos >= _buffer.Length) { field = 0; wireType = 0; return false; }
        ulong tag = Varint();
        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        if (field <= 0) throw new FormatException($"byte {Offset}: invalid field number {field}.");
        return true;
    }

    public ulong Varint()
    {
        var span = _buffer.Span;
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= span.Length) throw new FormatException($"byte {Offset}: varint runs past the end of the data.");
            byte b = span[_pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new FormatException($"byte {Offset}: varint longer than 10 bytes.");
    }

    public long Int64() => (long)Varint();

    public float Fixed32Float()
    {
        var span = Take(4).Span;
        return BitConverter.ToSingle(span);
    }

    /// <summary>A length-delimited field's content as a view of the buffer.</summary>
    public ReadOnlyMemory<byte> Bytes()
    {
        ulong length = Varint();
        if (length > (ulong)(_buffer.Length - _pos)) throw new FormatException($"byte {Offset}: field of {length} bytes runs past the end of the data.");
        return Take((int)length);
    }

    /// <summary>A reader over a length-delimited sub-message.</summary>
    public ProtoReader Message()
    {
        ulong length = Varint();
        if (length > (ulong)(_buffer.Length - _pos)) throw new FormatException($"byte {Offset}: message of {length} bytes runs past the end of the data.");
        long start = Offset;
        return new ProtoReader(Take((int)length), start);
    }

    public string String() => System.Text.Encoding.UTF8.GetString(Bytes().Span);

    /// <summary>Skips the value of a field of the given wire type.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0: Varint(); break;
            case 1: Take(8); break;
            case 2: Bytes(); break;
            case 5: Take(4); break;
            default: throw new FormatException($"byte {Offset}: unsupported wire type {wireType}.");
        }
    }

    /// <summary>A repeated int64 field: packed (wire type 2) or one value (wire type 0); appends to <paramref name="into"/>.</summary>
    public void Int64s(int wireType, List<long> into)
    {
        if (wireType == 0) { into.Add(Int64()); return; }
        var packed = Message();
        while (packed._pos < packed._buffer.Length) into.Add(packed.Int64());
    }

    /// <summary>A repeated float field: packed (wire type 2) or one value (wire type 5); appends to <paramref name="into"/>.</summary>
    public void Floats(int wireType, List<float> into)
    {
        if (wireType == 5) { into.Add(Fixed32Float()); return; }
        var bytes = Bytes().Span;
        if (bytes.Length % 4 != 0) throw new FormatException($"byte {Offset}: packed floats of {bytes.Length} bytes (not a multiple of 4).");
        for (int i = 0; i < bytes.Length; i += 4) into.Add(BitConverter.ToSingle(bytes.Slice(i, 4)));
    }

    ReadOnlyMemory<byte> Take(int n)
    {
        if (n > _buffer.Length - _pos) throw new FormatException($"byte {Offset}: {n} bytes run past the end of the data.");
        var slice = _buffer.Slice(_pos, n);
        _pos += n;
        return slice;
    }
}
