namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>What <see cref="OnnxExporter"/> wrote.</summary>
/// <param name="ModelPath">The .onnx file.</param>
/// <param name="ExternalDataPath">The external weights file, or null when the weights are inside the .onnx file.</param>
/// <param name="Outputs">Graph output names.</param>
/// <param name="Dimensions">Width of the output vectors (for a cross-encoder, the number of logits per pair).</param>
public sealed record OnnxExportResult(string ModelPath, string? ExternalDataPath, IReadOnlyList<string> Outputs, int Dimensions);
