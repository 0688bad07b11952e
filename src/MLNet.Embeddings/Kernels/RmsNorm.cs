using System.Numerics.Tensors;

namespace MLNet.Embeddings.Kernels;

/// <summary>
/// Root-mean-square normalisation over the last dimension, forward and backward side by side:
/// <c>y = x / √(mean(x²) + eps) · (offset + w)</c>. Qwen3 and Llama use offset 0 (weight initialised to 1),
/// Gemma uses offset 1 (weight initialised to 0).
/// </summary>
public static class RmsNorm
{
    /// <summary>Normalises <paramref name="rows"/> rows of width <paramref name="n"/>; keeps each row's 1/rms in <paramref name="rstd"/>.</summary>
    /// <param name="x">Input rows (row stride <paramref name="n"/>).</param>
    /// <param name="weight">Per-column weight (length <paramref name="n"/>).</param>
    /// <param name="y">Output rows; may be <paramref name="x"/>.</param>
    /// <param name="rstd">Receives 1/√(mean(x²) + eps) per row; empty to skip.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="n">Row width.</param>
    /// <param name="eps">Added to the mean square.</param>
    /// <param name="offset">Added to the weight (0 or 1).</param>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, Span<float> rstd, int rows, int n, float eps, float offset = 0f)
    {
        Span<float> w = n <= 4096 ? stackalloc float[n] : new float[n];
        TensorPrimitives.Add(weight[..n], offset, w);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * n, n);
            float ms = TensorPrimitives.Dot(xr, xr) / n;
            float s = 1f / MathF.Sqrt(ms + eps);
            if (!rstd.IsEmpty) rstd[r] = s;
            var yr = y.Slice(r * n, n);
            TensorPrimitives.Multiply(xr, s, yr);
            TensorPrimitives.Multiply(yr, w, yr);
        }
    }

    /// <summary>
    /// Backward of <see cref="Forward"/>: writes (or, with <paramref name="accumulate"/>, adds) dL/dx into <paramref name="dx"/>
    /// and adds dL/dw into <paramref name="dWeight"/> (skipped when empty).
    /// </summary>
    /// <param name="dy">dL/dy.</param>
    /// <param name="x">The forward input.</param>
    /// <param name="rstd">The forward pass's 1/rms per row.</param>
    /// <param name="weight">Per-column weight.</param>
    /// <param name="dx">Receives dL/dx; must not overlap <paramref name="dy"/> when accumulating.</param>
    /// <param name="dWeight">Accumulates dL/dw.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="n">Row width.</param>
    /// <param name="offset">The forward pass's weight offset.</param>
    /// <param name="accumulate">Add into <paramref name="dx"/> instead of overwriting it.</param>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> rstd, ReadOnlySpan<float> weight,
        Span<float> dx, Span<float> dWeight, int rows, int n, float offset = 0f, bool accumulate = false)
    {
        Span<float> w = n <= 4096 ? stackalloc float[n] : new float[n];
        Span<float> g = n <= 4096 ? stackalloc float[n] : new float[n];
        Span<float> xhat = n <= 4096 ? stackalloc float[n] : new float[n];
        TensorPrimitives.Add(weight[..n], offset, w);
        for (int r = 0; r < rows; r++)
        {
            var dyr = dy.Slice(r * n, n);
            float s = rstd[r];
            TensorPrimitives.Multiply(x.Slice(r * n, n), s, xhat);
            if (!dWeight.IsEmpty) TensorPrimitives.MultiplyAdd(dyr, xhat, dWeight[..n], dWeight[..n]);
            TensorPrimitives.Multiply(dyr, w, g);
            float m = TensorPrimitives.Dot(g, xhat) / n;
            // dx = s · (g − x̂ · mean(g ⊙ x̂))
            var dxr = dx.Slice(r * n, n);
            for (int i = 0; i < n; i++)
            {
                float v = s * (g[i] - xhat[i] * m);
                dxr[i] = accumulate ? dxr[i] + v : v;
            }
        }
    }
}
