using System.Numerics.Tensors;

namespace MLNet.Embeddings.Kernels;

/// <summary>Row-wise softmax, forward and backward.</summary>
public static class Softmax
{
    /// <summary>Softmax of each row of <paramref name="x"/> [rows × cols] (row stride <paramref name="ld"/>), in place.</summary>
    public static void Forward(Span<float> x, int rows, int cols, int ld)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * ld, cols);
            float max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, row);
            TensorPrimitives.Exp(row, row);
            float sum = TensorPrimitives.Sum(row);
            TensorPrimitives.Multiply(row, 1f / sum, row);
        }
    }

    /// <summary>
    /// Backward: given the softmax output <paramref name="p"/> and dL/dp in <paramref name="dp"/>, writes
    /// dL/dx = p ⊙ (dp − Σ p·dp) into <paramref name="dx"/> (may be <paramref name="dp"/>).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> p, ReadOnlySpan<float> dp, Span<float> dx, int rows, int cols, int ld)
    {
        for (int r = 0; r < rows; r++)
        {
            var pr = p.Slice(r * ld, cols);
            var dpr = dp.Slice(r * ld, cols);
            var dxr = dx.Slice(r * ld, cols);
            float dot = TensorPrimitives.Dot(pr, dpr);
            for (int i = 0; i < cols; i++) dxr[i] = pr[i] * (dpr[i] - dot);
        }
    }
}
