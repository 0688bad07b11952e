using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MLNet.Embeddings.Kernels;

/// <summary>Layer normalisation over the last dimension, forward and backward (as torch.nn.LayerNorm).</summary>
public static class LayerNorm
{
    /// <summary>
    /// <c>y = (x − mean) · rstd · gamma + beta</c> per row of <paramref name="x"/> [rows × cols]; keeps each
    /// row's mean and 1/σ in <paramref name="mean"/> and <paramref name="rstd"/> for the backward pass.
    /// <paramref name="y"/> may be <paramref name="x"/>.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> y, Span<float> mean, Span<float> rstd, int rows, int cols, float eps)
    {
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            float m = RowOps.Sum(xr) / cols;
            // Two-pass variance (biased, as torch), vectorised: y = x − mean with Σ y², then y·rstd·γ + β.
            float s = 1f / MathF.Sqrt(RowOps.CenterAndSumSquares(xr, m, yr) / cols + eps);
            mean[r] = m; rstd[r] = s;
            RowOps.ScaleMultiplyAdd(yr, s, gamma, beta);
        }
    }

    /// <summary>
    /// Backward of <see cref="Forward"/>: writes dL/dx into <paramref name="dx"/> (overwrites) and adds dL/dgamma,
    /// dL/dbeta into <paramref name="dgamma"/>, <paramref name="dbeta"/>. <paramref name="dx"/> may be <paramref name="dy"/>.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        ReadOnlySpan<float> gamma, Span<float> dx, Span<float> dgamma, Span<float> dbeta, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            var dyr = dy.Slice(r * cols, cols);
            var xr = x.Slice(r * cols, cols);
            var dxr = dx.Slice(r * cols, cols);
            float m = mean[r], s = rstd[r];
            float sumG = 0f, sumGX = 0f;
            int i = 0;
            ref float dyv = ref MemoryMarshal.GetReference(dyr);
            ref float xv = ref MemoryMarshal.GetReference(xr);
            ref float gv = ref MemoryMarshal.GetReference(gamma);
            ref float dgv = ref MemoryMarshal.GetReference(dgamma);
            ref float dbv = ref MemoryMarshal.GetReference(dbeta);
            ref float dxv = ref MemoryMarshal.GetReference(dxr);
            var mv = Vector512.Create(m); var sv = Vector512.Create(s);
            if (Vector512.IsHardwareAccelerated && gamma.Length >= cols && dgamma.Length >= cols && dbeta.Length >= cols)
            {
                var accG = Vector512<float>.Zero; var accGX = Vector512<float>.Zero;
                for (; i <= cols - 16; i += 16)
                {
                    var d = Vector512.LoadUnsafe(ref dyv, (nuint)i);
                    var xh = (Vector512.LoadUnsafe(ref xv, (nuint)i) - mv) * sv;
                    var g = d * Vector512.LoadUnsafe(ref gv, (nuint)i);
                    accG += g; accGX += g * xh;
                    (Vector512.LoadUnsafe(ref dgv, (nuint)i) + d * xh).StoreUnsafe(ref dgv, (nuint)i);
                    (Vector512.LoadUnsafe(ref dbv, (nuint)i) + d).StoreUnsafe(ref dbv, (nuint)i);
                }
                sumG = Vector512.Sum(accG); sumGX = Vector512.Sum(accGX);
            }
            int vectorEnd = i;
            for (; i < cols; i++)
            {
                float xh = (xr[i] - m) * s;
                float g = dyr[i] * gamma[i];
                sumG += g; sumGX += g * xh;
                dgamma[i] += dyr[i] * xh;
                dbeta[i] += dyr[i];
            }
            sumG /= cols; sumGX /= cols;
            i = 0;
            if (vectorEnd > 0)
            {
                var vG = Vector512.Create(sumG); var vGX = Vector512.Create(sumGX);
                for (; i < vectorEnd; i += 16)
                {
                    var xh = (Vector512.LoadUnsafe(ref xv, (nuint)i) - mv) * sv;
                    ((Vector512.LoadUnsafe(ref dyv, (nuint)i) * Vector512.LoadUnsafe(ref gv, (nuint)i) - vG - xh * vGX) * sv).StoreUnsafe(ref dxv, (nuint)i);
                }
            }
            for (; i < cols; i++)
            {
                float xh = (xr[i] - m) * s;
                dxr[i] = (dyr[i] * gamma[i] - sumG - xh * sumGX) * s;
            }
        }
    }
}
