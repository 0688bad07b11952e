using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>Minimal F32 safetensors reader for the fixtures (independent of the library's reader).</summary>
internal static class TestSafeTensors
{
    public static Dictionary<string, Parameter> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        var result = new Dictionary<string, Parameter>();
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            Assert.Equal("F32", entry.Value.GetProperty("dtype").GetString());
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var data = MemoryMarshal.Cast<byte, float>(bytes.AsSpan((int)(8 + headerLength + offsets[0]), (int)(offsets[1] - offsets[0]))).ToArray();
            result[entry.Name] = new Parameter(entry.Name, shape, data);
        }
        return result;
    }
}
