namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>A model input or output as the session reports it.</summary>
/// <param name="Name">Input/output name.</param>
/// <param name="ElementType">Tensor element type (Undefined for non-tensors).</param>
/// <param name="Shape">Dimensions; -1 for a dynamic dimension.</param>
/// <param name="SymbolicShape">Dimension names of dynamic dimensions (e.g. <c>batch</c>, <c>sequence</c>), "" where fixed or unnamed.</param>
public sealed record OrtValueInfo(string Name, OrtElementType ElementType, long[] Shape, string[] SymbolicShape)
{
    /// <summary>Shape as text, e.g. <c>[batch,sequence,384]</c>.</summary>
    public override string ToString()
        => $"{Name}: {ElementType}[{string.Join(",", Shape.Select((d, i) => d >= 0 ? d.ToString() : SymbolicShape[i].Length > 0 ? SymbolicShape[i] : "?"))}]";
}
