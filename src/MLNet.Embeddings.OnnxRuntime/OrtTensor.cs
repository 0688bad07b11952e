using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>
/// A named dense tensor held in a managed array (row-major). Inputs (and preallocated outputs) are pinned for the
/// duration of a run and handed to ORT as they are (no copy); returned outputs are copied out of ORT's memory into a new array.
/// </summary>
public sealed class OrtTensor
{
    /// <summary>
    /// Creates a tensor over <paramref name="data"/> (not copied). The array may be longer than the shape needs (a
    /// reused buffer); the first <c>∏ shape</c> values are the tensor.
    /// </summary>
    public OrtTensor(string name, OrtElementType type, Array data, long[] shape)
    {
        long n = 1; foreach (var d in shape) n *= d;
        if (n > data.LongLength) throw new ArgumentException($"Tensor '{name}': shape [{string.Join(",", shape)}] needs {n} values, found {data.LongLength}.");
        Count = n;
        var expected = ManagedType(type);
        if (data.GetType().GetElementType() != expected)
            throw new ArgumentException($"Tensor '{name}': element type {type} needs a {expected.Name}[], found {data.GetType().Name}.");
        Name = name; ElementType = type; Data = data; Shape = shape;
    }

    /// <summary>Number of values (the product of <see cref="Shape"/>).</summary>
    public long Count { get; }

    /// <summary>Input or output name.</summary>
    public string Name { get; }
    /// <summary>Element type.</summary>
    public OrtElementType ElementType { get; }
    /// <summary>The values, an array of the element type's .NET type.</summary>
    public Array Data { get; }
    /// <summary>Dimensions, outermost first.</summary>
    public long[] Shape { get; }

    /// <summary>A float tensor.</summary>
    public static OrtTensor Float(string name, float[] data, params long[] shape) => new(name, OrtElementType.Float, data, shape);
    /// <summary>An int64 tensor (token ids, masks).</summary>
    public static OrtTensor Int64(string name, long[] data, params long[] shape) => new(name, OrtElementType.Int64, data, shape);
    /// <summary>An int32 tensor.</summary>
    public static OrtTensor Int32(string name, int[] data, params long[] shape) => new(name, OrtElementType.Int32, data, shape);

    /// <summary>The data as float[] (throws for other types).</summary>
    public float[] AsFloats() => Data as float[] ?? throw new InvalidOperationException($"Tensor '{Name}' holds {ElementType}, not Float.");

    /// <summary>A zero-filled tensor of <paramref name="shape"/>.</summary>
    internal static OrtTensor Allocate(string name, OrtElementType type, long[] shape)
    {
        long n = 1; foreach (var d in shape) n *= d;
        return new OrtTensor(name, type, Array.CreateInstance(ManagedType(type), n), shape);
    }

    /// <summary>The first <see cref="Count"/> values as bytes.</summary>
    internal Span<byte> Bytes() => Data switch
    {
        float[] a => MemoryMarshal.AsBytes(a.AsSpan(0, (int)Count)),
        long[] a => MemoryMarshal.AsBytes(a.AsSpan(0, (int)Count)),
        int[] a => MemoryMarshal.AsBytes(a.AsSpan(0, (int)Count)),
        double[] a => MemoryMarshal.AsBytes(a.AsSpan(0, (int)Count)),
        Half[] a => MemoryMarshal.AsBytes(a.AsSpan(0, (int)Count)),
        byte[] a => a.AsSpan(0, (int)Count),
        sbyte[] a => MemoryMarshal.AsBytes(a.AsSpan(0, (int)Count)),
        bool[] a => MemoryMarshal.AsBytes(a.AsSpan(0, (int)Count)),
        _ => throw new NotSupportedException($"Tensor '{Name}': element type {ElementType} is not supported."),
    };

    /// <summary>An ORT value over this tensor's array (pinned until the value is disposed; no copy).</summary>
    internal OrtValue ToOrtValue()
    {
        var info = OrtMemoryInfo.DefaultInstance;
        int n = checked((int)Count);
        return Data switch
        {
            float[] a => OrtValue.CreateTensorValueFromMemory(info, a.AsMemory(0, n), Shape),
            long[] a => OrtValue.CreateTensorValueFromMemory(info, a.AsMemory(0, n), Shape),
            int[] a => OrtValue.CreateTensorValueFromMemory(info, a.AsMemory(0, n), Shape),
            double[] a => OrtValue.CreateTensorValueFromMemory(info, a.AsMemory(0, n), Shape),
            byte[] a => OrtValue.CreateTensorValueFromMemory(info, a.AsMemory(0, n), Shape),
            sbyte[] a => OrtValue.CreateTensorValueFromMemory(info, a.AsMemory(0, n), Shape),
            bool[] a => OrtValue.CreateTensorValueFromMemory(info, a.AsMemory(0, n), Shape),
            // Half and ORT's Float16 share their bits but not their type: a copy (fine for inputs, the only use).
            Half[] a => OrtValue.CreateTensorValueFromMemory(info, MemoryMarshal.Cast<Half, Float16>(a.AsSpan(0, n)).ToArray().AsMemory(), Shape),
            _ => throw new NotSupportedException($"Tensor '{Name}': element type {ElementType} is not supported."),
        };
    }

    internal static Type ManagedType(OrtElementType type) => type switch
    {
        OrtElementType.Float => typeof(float),
        OrtElementType.UInt8 => typeof(byte),
        OrtElementType.Int8 => typeof(sbyte),
        OrtElementType.Int32 => typeof(int),
        OrtElementType.Int64 => typeof(long),
        OrtElementType.Bool => typeof(bool),
        OrtElementType.Float16 => typeof(Half),
        OrtElementType.Double => typeof(double),
        _ => throw new NotSupportedException($"Tensor element type {type} is not supported by OrtTensor."),
    };

    internal static int ElementSize(OrtElementType type) => type switch
    {
        OrtElementType.Float or OrtElementType.Int32 => 4,
        OrtElementType.UInt8 or OrtElementType.Int8 or OrtElementType.Bool => 1,
        OrtElementType.Int64 or OrtElementType.Double => 8,
        OrtElementType.Float16 => 2,
        _ => throw new NotSupportedException($"Tensor element type {type} is not supported by OrtTensor."),
    };
}
