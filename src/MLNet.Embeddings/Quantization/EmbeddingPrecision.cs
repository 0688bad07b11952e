namespace MLNet.Embeddings.Quantization;

/// <summary>
/// How stored embeddings are represented, as sentence-transformers' <c>quantize_embeddings</c> names them:
/// one float per dimension, one byte per dimension (<see cref="Int8"/>, <see cref="UInt8"/>) or one bit per dimension
/// packed eight to a byte (<see cref="Binary"/>, <see cref="UBinary"/>).
/// </summary>
public enum EmbeddingPrecision
{
    /// <summary>The encoder's float32 values, unchanged.</summary>
    Float32,
    /// <summary>Per-dimension scalar quantisation to [-128, 127] with calibration ranges (<see cref="QuantizationRanges"/>).</summary>
    Int8,
    /// <summary>Per-dimension scalar quantisation to [0, 255] with calibration ranges.</summary>
    UInt8,
    /// <summary>Sign bits (value &gt; 0) packed most significant bit first, each byte stored minus 128 as an int8.</summary>
    Binary,
    /// <summary>Sign bits (value &gt; 0) packed most significant bit first, as unsigned bytes.</summary>
    UBinary,
}
