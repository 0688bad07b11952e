namespace MLNet.Embeddings.ML;

/// <summary>Which engine runs the model inside an embedding stage (each one an <see cref="IEmbeddingStageBackend"/>).</summary>
public enum EmbeddingBackend
{
    /// <summary>Our managed C# engine (the CPU default, in this package): BERT-family folders and word-vector files.</summary>
    Managed,
    /// <summary>
    /// ONNX Runtime, from the MLNet.Embeddings.ML.OnnxRuntime package: the model path is an exported folder
    /// (onnx/model.onnx or <see cref="ApplyEmbeddingOptions.OnnxModelFile"/>) with its tokenizer; the application adds
    /// the ONNX Runtime natives (Microsoft.ML.OnnxRuntime for CPU, Microsoft.ML.OnnxRuntime.Gpu for CUDA).
    /// </summary>
    Onnx,
    /// <summary>
    /// libtorch through TorchSharp, from the MLNet.Embeddings.ML.TorchSharp package: BERT-family folders on
    /// <see cref="ApplyEmbeddingOptions.Device"/>; the application adds a libtorch native package.
    /// </summary>
    TorchSharp,
}
