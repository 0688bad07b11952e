using MLNet.Embeddings.Backbones;

namespace MLNet.Embeddings.OnnxRuntime.Backbones;

/// <summary>An ONNX backbone whose graph pools (and usually normalises) itself: the <c>sentence_embedding</c> output is used as is.</summary>
public sealed class OnnxPooledBackbone : OnnxBackbone, IPooledBackbone
{
    readonly string[] _pooledOutput;

    internal OnnxPooledBackbone(OrtSession session, string modelPath, int hiddenSize, int maxPositions, string? tokenOutput, OrtValueInfo pooled)
        : base(session, modelPath, hiddenSize > 0 ? hiddenSize : pooled.Shape.Length == 2 && pooled.Shape[1] > 0 ? (int)pooled.Shape[1] : 0, maxPositions, tokenOutput)
    {
        if (pooled.ElementType != OrtElementType.Float)
            throw new ModelFormatException(modelPath, $"output '{pooled.Name}' is {pooled.ElementType}; expected Float.");
        _pooledOutput = [pooled.Name];
        Dimensions = pooled.Shape.Length == 2 && pooled.Shape[1] > 0 ? (int)pooled.Shape[1] : HiddenSize;
    }

    /// <inheritdoc/>
    public int Dimensions { get; }

    /// <inheritdoc/>
    public float[] ForwardPooled(TokenBatch batch, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = new float[(long)batch.Count * Dimensions];
        if (batch.Count == 0) return result;
        var buffers = RentInputs(batch, out var inputs, out _);
        try
        {
            // ORT writes the [n, d] output straight into the result (it checks the shape against the graph's own).
            Session.RunInto(inputs, _pooledOutput, [OrtTensor.Float(_pooledOutput[0], result, batch.Count, Dimensions)]);
        }
        finally { ReturnInputs(buffers); }
        return result;
    }
}
