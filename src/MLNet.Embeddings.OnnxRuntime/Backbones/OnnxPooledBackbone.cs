using MLNet.Embeddings.Backbones;

namespace MLNet.Embeddings.OnnxRuntime.Backbones;

/// <summary>An ONNX backbone whose graph pools (and usually normalises) itself: the <c>sentence_embedding</c> output is used as is.</summary>
public sealed class OnnxPooledBackbone : OnnxBackbone, IPooledBackbone
{
    readonly string[] _pooledOutput;

    internal OnnxPooledBackbone(OrtSession session, string modelPath, int hiddenSize, int maxPositions, string? tokenOutput, OrtValueInfo pooled)
        : base(session, modelPath, hiddenSize > 0 ? hiddenSize : pooled.Shape.Length == 2 && pooled.Shape[1] > 0 ? (int)pooled.Shape[1] : 0, maxPositions, tokenOutput)
    {
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
        Session.Run(Inputs(batch, out _), _pooledOutput, (_, type, shape, data) =>
        {
            CheckOutput(type, shape, batch.Count, -1, Dimensions, _pooledOutput[0]);
            unsafe { new ReadOnlySpan<float>((void*)data, result.Length).CopyTo(result); }
        });
        return result;
    }
}
