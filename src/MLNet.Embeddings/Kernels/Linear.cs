using System.Numerics.Tensors;

namespace MLNet.Embeddings.Kernels;

/// <summary>A dense layer as torch.nn.Linear (weight [out × in], bias [out]) on row-major spans, forward and backward.</summary>
public static class Linear
{
    /// <summary>
    /// <c>y[rows × out] = act(x[rows × in] · Wᵀ + b (+ y when <paramref name="accumulate"/>))</c>: the bias, a residual
    /// already in <paramref name="y"/> and the activation are fused into the product's store.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
        int rows, int inFeatures, int outFeatures, ActivationKind? activation = null, bool accumulate = false)
    {
        Sgemm.Gemm(false, true, rows, outFeatures, inFeatures, 1f, x, inFeatures, weight, inFeatures, accumulate ? 1f : 0f, y, outFeatures,
            bias: bias.IsEmpty ? default : bias[..outFeatures], activation: activation);
    }

    /// <summary>
    /// Backward of <see cref="Forward"/>: adds <c>dyᵀ·x</c> to <paramref name="dWeight"/> and the column sums of
    /// <paramref name="dy"/> to <paramref name="dBias"/> (skipped when empty); writes <c>dy·W</c> into
    /// <paramref name="dx"/> (or adds it when <paramref name="accumulateDx"/>; skipped when empty).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> weight,
        Span<float> dx, Span<float> dWeight, Span<float> dBias, int rows, int inFeatures, int outFeatures, bool accumulateDx = false)
    {
        if (rows == 0) return;
        Sgemm.Gemm(true, false, outFeatures, inFeatures, rows, 1f, dy, outFeatures, x, inFeatures, 1f, dWeight, inFeatures);
        if (!dBias.IsEmpty)
            for (int r = 0; r < rows; r++) TensorPrimitives.Add(dBias[..outFeatures], dy.Slice(r * outFeatures, outFeatures), dBias[..outFeatures]);
        if (!dx.IsEmpty)
            Sgemm.Gemm(false, false, rows, inFeatures, outFeatures, 1f, dy, outFeatures, weight, inFeatures, accumulateDx ? 1f : 0f, dx, inFeatures);
    }
}
