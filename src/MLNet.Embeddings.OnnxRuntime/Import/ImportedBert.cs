using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.OnnxRuntime.Import;

/// <summary>A BERT-family model read from an ONNX file: the inferred config.json and the tensors under their Hugging Face names.</summary>
/// <param name="Config">The configuration inferred from the graph and checked against the tensors.</param>
/// <param name="Tensors">The weights by Hugging Face name, PyTorch layout ([out, in] for linear weights).</param>
/// <param name="RenamedWeights">ONNX initializer name → Hugging Face name, for each weight that was named through the graph.</param>
public sealed record ImportedBert(BertConfig Config, IReadOnlyDictionary<string, Parameter> Tensors, IReadOnlyDictionary<string, string> RenamedWeights);
