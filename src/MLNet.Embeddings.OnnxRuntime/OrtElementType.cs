namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>Tensor element types (<c>ONNXTensorElementDataType</c>, the same numbers as ONNX's TensorProto.DataType).</summary>
public enum OrtElementType
{
    /// <summary>Unknown or not a tensor.</summary>
    Undefined = 0,
    /// <summary>32-bit float.</summary>
    Float = 1,
    /// <summary>Unsigned byte.</summary>
    UInt8 = 2,
    /// <summary>Signed byte.</summary>
    Int8 = 3,
    /// <summary>32-bit integer.</summary>
    Int32 = 6,
    /// <summary>64-bit integer.</summary>
    Int64 = 7,
    /// <summary>String (not supported by <see cref="OrtTensor"/>).</summary>
    String = 8,
    /// <summary>Boolean (one byte).</summary>
    Bool = 9,
    /// <summary>16-bit float.</summary>
    Float16 = 10,
    /// <summary>64-bit float.</summary>
    Double = 11,
}
