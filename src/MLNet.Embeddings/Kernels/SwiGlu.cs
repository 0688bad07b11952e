namespace MLNet.Embeddings.Kernels;

/// <summary>The SwiGLU gate <c>a = silu(g) ⊙ u</c> of Llama-style feed-forward layers, forward and backward.</summary>
public static class SwiGlu
{
    /// <summary><c>a = silu(g) ⊙ u</c> with <c>silu(g) = g·σ(g)</c>.</summary>
    public static void Forward(ReadOnlySpan<float> g, ReadOnlySpan<float> u, Span<float> a)
    {
        for (int i = 0; i < g.Length; i++)
        {
            float x = g[i];
            a[i] = x / (1f + MathF.Exp(-x)) * u[i];
        }
    }

    /// <summary>From dL/da: <c>dg = da ⊙ u ⊙ silu'(g)</c>, <c>du = da ⊙ silu(g)</c> (both overwritten).</summary>
    public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> u, ReadOnlySpan<float> da, Span<float> dg, Span<float> du)
    {
        for (int i = 0; i < g.Length; i++)
        {
            float x = g[i], s = 1f / (1f + MathF.Exp(-x)), grad = da[i];
            du[i] = grad * x * s;
            dg[i] = grad * u[i] * s * (1f + x * (1f - s));
        }
    }
}
