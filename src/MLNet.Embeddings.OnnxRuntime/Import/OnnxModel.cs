using System.Runtime.InteropServices;

namespace MLNet.Embeddings.OnnxRuntime.Import;

/// <summary>An initializer or a Constant node's tensor (onnx.proto TensorProto), data kept as read.</summary>
internal sealed class OnnxTensor
{
    // TensorProto.DataType values used here.
    public const int Float = 1, Int32 = 6, Int64 = 7, Float16 = 10, Double = 11;

    public string Name { get; set; } = "";
    public int DataType { get; set; }
    public List<long> Dims { get; } = new();
    public ReadOnlyMemory<byte> Raw { get; set; }
    public List<float> FloatData { get; } = new();
    public List<long> Int64Data { get; } = new();
    public bool External { get; set; }

    public long Count { get { long n = 1; foreach (var d in Dims) n *= d; return n; } }

    /// <summary>The values as float (float, float16, double, int32 or int64 tensors).</summary>
    public float[] ToFloats(string file)
    {
        if (External) throw new ModelFormatException(file, $"initializer '{Name}': external data is not supported; save the model with its weights inside the .onnx file.");
        long n = Count;
        var result = new float[n];
        if (Raw.Length > 0)
        {
            var span = Raw.Span;
            int size = DataType switch { Float => 4, Float16 => 2, Double => 8, Int32 => 4, Int64 => 8, _ => 0 };
            if (size == 0) throw new ModelFormatException(file, $"initializer '{Name}': data type {DataType} is not supported (expected float, float16, double, int32 or int64).");
            if (span.Length != n * size) throw new ModelFormatException(file, $"initializer '{Name}': raw_data has {span.Length} bytes, dims [{string.Join(", ", Dims)}] need {n * size}.");
            switch (DataType)
            {
                case Float: MemoryMarshal.Cast<byte, float>(span).CopyTo(result); break;
                case Float16: { var h = MemoryMarshal.Cast<byte, Half>(span); for (int i = 0; i < n; i++) result[i] = (float)h[i]; break; }
                case Double: { var d = MemoryMarshal.Cast<byte, double>(span); for (int i = 0; i < n; i++) result[i] = (float)d[i]; break; }
                case Int32: { var d = MemoryMarshal.Cast<byte, int>(span); for (int i = 0; i < n; i++) result[i] = d[i]; break; }
                default: { var d = MemoryMarshal.Cast<byte, long>(span); for (int i = 0; i < n; i++) result[i] = d[i]; break; }
            }
            return result;
        }
        if (FloatData.Count == n) { FloatData.CopyTo(result); return result; }
        if (Int64Data.Count == n) { for (int i = 0; i < n; i++) result[i] = Int64Data[i]; return result; }
        throw new ModelFormatException(file, $"initializer '{Name}': no data for dims [{string.Join(", ", Dims)}] (raw_data, float_data and int64_data are empty or short).");
    }

    /// <summary>The values as int64 (int64 or int32 tensors); null for other types.</summary>
    public long[]? ToInt64s()
    {
        if (DataType is not (Int64 or Int32)) return null;
        if (Raw.Length > 0)
            return DataType == Int64 ? MemoryMarshal.Cast<byte, long>(Raw.Span).ToArray()
                : MemoryMarshal.Cast<byte, int>(Raw.Span).ToArray().Select(v => (long)v).ToArray();
        return Int64Data.ToArray();
    }
}

/// <summary>A node attribute (onnx.proto AttributeProto): the fields a BERT export uses.</summary>
internal sealed class OnnxAttribute
{
    public string Name { get; set; } = "";
    public float? F { get; set; }
    public long? I { get; set; }
    public string? S { get; set; }
    public OnnxTensor? T { get; set; }
    public List<long> Ints { get; } = new();
}

/// <summary>A graph node (onnx.proto NodeProto).</summary>
internal sealed class OnnxNode
{
    public string Name { get; set; } = "";
    public string OpType { get; set; } = "";
    public List<string> Inputs { get; } = new();
    public List<string> Outputs { get; } = new();
    public Dictionary<string, OnnxAttribute> Attributes { get; } = new(StringComparer.Ordinal);

    /// <summary>The node's name for messages: its name, else its op type and first output.</summary>
    public string Label => Name.Length > 0 ? $"'{Name}' ({OpType})" : $"{OpType} → '{(Outputs.Count > 0 ? Outputs[0] : "")}'";
}

/// <summary>A model's graph: nodes in file order, initializers by name, graph input and output names, opset.</summary>
internal sealed class OnnxModel
{
    public string Producer { get; set; } = "";
    public long Opset { get; set; }
    public List<OnnxNode> Nodes { get; } = new();
    public Dictionary<string, OnnxTensor> Initializers { get; } = new(StringComparer.Ordinal);
    public List<string> Inputs { get; } = new();
    public List<string> Outputs { get; } = new();
}
