using MLNet.Embeddings.Backbones;

namespace MLNet.Embeddings.OnnxRuntime.Backbones;

/// <summary>
/// An ONNX backbone whose graph pools (and usually normalises) itself: the <c>sentence_embedding</c> output (float,
/// or float16 widened to float) is used as is.
/// </summary>
public sealed class OnnxPooledBackbone : OnnxBackbone, IPooledBackbone
{
    readonly string[] _pooledOutput;
    readonly bool _half;

    internal OnnxPooledBackbone(OrtSession session, string modelPath, int hiddenSize, int maxPositions, string? tokenOutput, OrtValueInfo pooled)
        : base(session, modelPath, hiddenSize > 0 ? hiddenSize : pooled.Shape.Length == 2 && pooled.Shape[1] > 0 ? (int)pooled.Shape[1] : 0, maxPositions, tokenOutput)
    {
        if (pooled.ElementType is not (OrtElementType.Float or OrtElementType.Float16))
            throw new ModelFormatException(modelPath, $"output '{pooled.Name}' is {pooled.ElementType}; expected Float or Float16.");
        _half = pooled.ElementType == OrtElementType.Float16;
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
            if (_half)
                Session.Run(inputs, _pooledOutput, (_, type, shape, data) =>
                {
                    CheckShape(type, shape, OrtElementType.Float16, batch.Count, Dimensions);
                    Widen(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(data), result);
                });
            // ORT writes the [n, d] output straight into the result (it checks the shape against the graph's own).
            else Session.RunInto(inputs, _pooledOutput, [OrtTensor.Float(_pooledOutput[0], result, batch.Count, Dimensions)]);
        }
        finally { ReturnInputs(buffers); }
        return result;
    }
}
