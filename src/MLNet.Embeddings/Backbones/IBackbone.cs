namespace MLNet.Embeddings.Backbones;

/// <summary>
/// Turns a packed <see cref="TokenBatch"/> into token embeddings: one <see cref="HiddenSize"/> vector per token.
/// BERT (managed), static word vectors and ONNX Runtime models implement it.
/// </summary>
public interface IBackbone
{
    /// <summary>Model type as in config.json (<c>bert</c>, <c>static</c>, <c>onnx</c> …).</summary>
    string ModelType { get; }
    /// <summary>Width of each token vector.</summary>
    int HiddenSize { get; }
    /// <summary>Longest sequence the model accepts (max_position_embeddings), or int.MaxValue.</summary>
    int MaxPositions { get; }
    /// <summary>Token embeddings, row-major [TotalTokens × HiddenSize], in the batch's packed order.</summary>
    float[] Forward(TokenBatch batch, CancellationToken cancellationToken = default);
    /// <summary>Writes config.json and the weights (model.safetensors) into <paramref name="folder"/>.</summary>
    void Save(string folder);
}

/// <summary>A backbone whose output is already one vector per sequence (e.g. an ONNX graph with pooling inside).</summary>
public interface IPooledBackbone : IBackbone
{
    /// <summary>Width of the sentence vector.</summary>
    int Dimensions { get; }
    /// <summary>Sentence vectors [Count × Dimensions].</summary>
    float[] ForwardPooled(TokenBatch batch, CancellationToken cancellationToken = default);
}
