namespace MLNet.Embeddings.ML;

/// <summary>Which engine runs the model inside an embedding stage.</summary>
public enum EmbeddingBackend
{
    /// <summary>Our managed C# engine (the CPU default): BERT-family folders and word-vector files.</summary>
    Managed,
    /// <summary>
    /// ONNX Runtime through <c>MLNet.Embeddings.OnnxRuntime</c>: the model path is an exported folder (onnx/model.onnx
    /// or <see cref="ApplyEmbeddingOptions.OnnxModelFile"/>) with its tokenizer; the native library comes from
    /// <c>MLNET_ONNXRUNTIME_PATH</c> or the process's library path.
    /// </summary>
    Onnx,
}
