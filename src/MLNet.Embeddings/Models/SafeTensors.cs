using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Models;

/// <summary>Reads and writes the safetensors format (F32, F16, BF16 → F32 on read; F32 on write). Never executes code.</summary>
public static class SafeTensors
{
    /// <summary>Reads every tensor of <paramref name="path"/> as F32 parameters, keyed by name, in file order.</summary>
    public static Dictionary<string, Parameter> Read(string path) => throw new NotImplementedException("SafeTensors.Read: owned by the encoder work");

    /// <summary>Writes <paramref name="tensors"/> as F32 to <paramref name="path"/> atomically (temp file, then rename).</summary>
    public static void Write(string path, IEnumerable<Parameter> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        => throw new NotImplementedException("SafeTensors.Write: owned by the encoder work");
}
