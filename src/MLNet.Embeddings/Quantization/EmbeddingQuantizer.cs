namespace MLNet.Embeddings.Quantization;

/// <summary>
/// Quantises float embeddings as sentence-transformers' <c>quantize_embeddings</c> does.
/// int8: <c>(x − min) / ((max − min) / 255) − 128</c>, uint8: the same without the −128, both truncated toward zero
/// like numpy's <c>astype</c> and clamped to the type's range (values outside the calibration range saturate
/// instead of wrapping). binary / ubinary: <c>np.packbits(x &gt; 0)</c> (first dimension in the most significant bit,
/// the last byte zero-padded), binary storing each byte minus 128. The output is raw bytes: int8 codes are
/// two's-complement bytes (reinterpret as <see cref="sbyte"/>).
/// </summary>
public static class EmbeddingQuantizer
{
    /// <summary>Bytes per vector of <paramref name="dimensions"/> values at <paramref name="precision"/>.</summary>
    public static int BytesPerVector(int dimensions, EmbeddingPrecision precision) => precision switch
    {
        EmbeddingPrecision.Float32 => dimensions * sizeof(float),
        EmbeddingPrecision.Int8 or EmbeddingPrecision.UInt8 => dimensions,
        EmbeddingPrecision.Binary or EmbeddingPrecision.UBinary => (dimensions + 7) / 8,
        _ => throw new ArgumentOutOfRangeException(nameof(precision)),
    };

    /// <summary>Values per quantised vector (codes for int8/uint8, packed bytes for binary), as written to JSON or a list column.</summary>
    public static int ValuesPerVector(int dimensions, EmbeddingPrecision precision) =>
        precision == EmbeddingPrecision.Float32 ? dimensions : BytesPerVector(dimensions, precision);

    /// <summary>True when the codes of <paramref name="precision"/> are signed (int8, binary).</summary>
    public static bool IsSigned(EmbeddingPrecision precision) => precision is EmbeddingPrecision.Int8 or EmbeddingPrecision.Binary;

    /// <summary>True when <paramref name="precision"/> needs calibration ranges.</summary>
    public static bool NeedsRanges(EmbeddingPrecision precision) => precision is EmbeddingPrecision.Int8 or EmbeddingPrecision.UInt8;

    /// <summary>Parses <c>float32</c> (or <c>float</c>), <c>int8</c>, <c>uint8</c>, <c>binary</c>, <c>ubinary</c>.</summary>
    public static EmbeddingPrecision Parse(string text, string setting = "precision") => text.ToLowerInvariant() switch
    {
        "float32" or "float" => EmbeddingPrecision.Float32,
        "int8" => EmbeddingPrecision.Int8,
        "uint8" => EmbeddingPrecision.UInt8,
        "binary" => EmbeddingPrecision.Binary,
        "ubinary" => EmbeddingPrecision.UBinary,
        _ => throw new ConfigurationException(setting, $"expected float32, int8, uint8, binary or ubinary, found '{text}'."),
    };

    /// <summary>The lower-case name <see cref="Parse"/> reads.</summary>
    public static string Name(EmbeddingPrecision precision) => precision.ToString().ToLowerInvariant();

    /// <summary>
    /// Quantises one vector into <paramref name="destination"/> (<see cref="BytesPerVector"/> bytes; not used for float32).
    /// <paramref name="ranges"/> is required for int8 and uint8 and must have the vector's length.
    /// </summary>
    public static void Quantize(ReadOnlySpan<float> vector, EmbeddingPrecision precision, QuantizationRanges? ranges, Span<byte> destination)
    {
        int need = BytesPerVector(vector.Length, precision);
        if (destination.Length < need) throw new ArgumentException($"destination holds {destination.Length} bytes, {need} needed.", nameof(destination));
        switch (precision)
        {
            case EmbeddingPrecision.Int8:
            case EmbeddingPrecision.UInt8:
                if (ranges is null) throw new ConfigurationException("ranges", $"{Name(precision)} needs calibration ranges (QuantizationRanges).");
                if (ranges.Dimensions != vector.Length)
                    throw new ConfigurationException("ranges", $"the calibration ranges have {ranges.Dimensions} dimensions, the vector {vector.Length}.");
                int offset = precision == EmbeddingPrecision.Int8 ? 128 : 0;
                for (int i = 0; i < vector.Length; i++)
                {
                    float step = (ranges.Max[i] - ranges.Min[i]) / 255f;
                    float scaled = step > 0 ? (vector[i] - ranges.Min[i]) / step - offset : -offset;
                    float clamped = Math.Clamp(MathF.Truncate(scaled), -offset, 255 - offset);
                    destination[i] = unchecked((byte)(int)clamped);
                }
                break;
            case EmbeddingPrecision.Binary:
            case EmbeddingPrecision.UBinary:
                destination[..need].Clear();
                for (int i = 0; i < vector.Length; i++)
                    if (vector[i] > 0) destination[i >> 3] |= (byte)(0x80 >> (i & 7));
                if (precision == EmbeddingPrecision.Binary)
                    for (int b = 0; b < need; b++) destination[b] = unchecked((byte)(sbyte)(destination[b] - 128));
                break;
            default:
                throw new ArgumentException("float32 vectors are not quantised.", nameof(precision));
        }
    }

    /// <summary>Quantises one vector and returns its bytes.</summary>
    public static byte[] Quantize(ReadOnlySpan<float> vector, EmbeddingPrecision precision, QuantizationRanges? ranges = null)
    {
        var bytes = new byte[BytesPerVector(vector.Length, precision)];
        Quantize(vector, precision, ranges, bytes);
        return bytes;
    }

    /// <summary>The codes of a quantised vector as integers (signed for int8/binary), as JSON and Python show them.</summary>
    public static int[] ToIntegers(ReadOnlySpan<byte> codes, EmbeddingPrecision precision)
    {
        var values = new int[codes.Length];
        bool signed = IsSigned(precision);
        for (int i = 0; i < codes.Length; i++) values[i] = signed ? (sbyte)codes[i] : codes[i];
        return values;
    }

    /// <summary>Number of differing bits between two packed binary vectors (either binary flavour; the −128 shift cancels).</summary>
    public static int HammingDistance(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"lengths differ: {a.Length} and {b.Length}.");
        int d = 0;
        for (int i = 0; i < a.Length; i++) d += System.Numerics.BitOperations.PopCount((uint)(a[i] ^ b[i]));
        return d;
    }
}
