using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MLNet.Embeddings.Kernels;

/// <summary>Row-wise softmax, forward and backward.</summary>
public static class Softmax
{
    /// <summary>Softmax of each row of <paramref name="x"/> [rows × cols] (row stride <paramref name="ld"/>), in place.</summary>
    public static void Forward(Span<float> x, int rows, int cols, int ld) => Forward(x, rows, cols, ld, 1f);

    /// <summary>
    /// Softmax of <c>scale·x</c> for each row (scale &gt; 0), in place: attention passes 1/√d here so that the
    /// score product itself can run unscaled.
    /// </summary>
    public static void Forward(Span<float> x, int rows, int cols, int ld, float scale)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * ld, cols);
            float max = RowOps.Max(row);
            float sum = ExpShifted(row, max, scale);
            RowOps.Scale(row, 1f / sum);
        }
    }

    /// <summary>row[i] = exp((row[i] − shift)·scale); returns the sum (<see cref="VectorExp"/>: much faster than TensorPrimitives.Exp).</summary>
    static float ExpShifted(Span<float> row, float shift, float scale)
    {
        int i = 0, n = row.Length;
        float sum = 0f;
        ref float r = ref MemoryMarshal.GetReference(row);
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var s = Vector512.Create(shift);
            var k = Vector512.Create(scale);
            var acc = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                var e = VectorExp.Exp((Vector512.LoadUnsafe(ref r, (nuint)i) - s) * k);
                e.StoreUnsafe(ref r, (nuint)i);
                acc += e;
            }
            sum = Vector512.Sum(acc);
        }
        if (Vector256.IsHardwareAccelerated && n - i >= 8)
        {
            var s = Vector256.Create(shift);
            var k = Vector256.Create(scale);
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                var e = VectorExp.Exp((Vector256.LoadUnsafe(ref r, (nuint)i) - s) * k);
                e.StoreUnsafe(ref r, (nuint)i);
                acc += e;
            }
            sum += Vector256.Sum(acc);
        }
        for (; i < n; i++) { float e = MathF.Exp((row[i] - shift) * scale); row[i] = e; sum += e; }
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
