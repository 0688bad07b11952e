using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
            float sum = ExpShifted(row, max);
            TensorPrimitives.Multiply(row, 1f / sum, row);
        }
    }

    /// <summary>row[i] = exp(row[i] − shift); returns the sum. (Vector256.Exp: much faster here than TensorPrimitives.Exp.)</summary>
    static float ExpShifted(Span<float> row, float shift)
    {
        int i = 0, n = row.Length;
        float sum = 0f;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref float r = ref MemoryMarshal.GetReference(row);
            var s = Vector256.Create(shift);
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                var e = Vector256.Exp(Vector256.LoadUnsafe(ref r, (nuint)i) - s);
                e.StoreUnsafe(ref r, (nuint)i);
                acc += e;
            }
            sum = Vector256.Sum(acc);
        }
        for (; i < n; i++) { float e = MathF.Exp(row[i] - shift); row[i] = e; sum += e; }
        return sum;
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
