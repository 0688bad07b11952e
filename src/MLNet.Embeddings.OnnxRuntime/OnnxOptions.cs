namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>Options for loading an ONNX model as an encoder backbone: the session settings plus which file to use.</summary>
public sealed class OnnxOptions : OrtSessionOptions
{
    /// <summary>
    /// The ONNX file inside a model folder, e.g. <c>model_qint8_avx2.onnx</c> (looked up in <c>onnx/</c>, then the
    /// folder itself), or a full path. Default <c>model.onnx</c>.
    /// </summary>
    public string ModelFile { get; set; } = "model.onnx";
    /// <summary>Output holding token embeddings; null picks <c>last_hidden_state</c>, then <c>token_embeddings</c>, then the first rank-3 float or float16 output (not a decoder's <c>present.*</c>).</summary>
    public string? TokenOutput { get; set; }
    /// <summary>Use a <c>sentence_embedding</c> output (pooling inside the graph) when the model has one. Default true.</summary>
    public bool UsePooledOutput { get; set; } = true;
}
