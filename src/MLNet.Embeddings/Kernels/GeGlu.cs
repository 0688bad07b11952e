using System.Numerics.Tensors;

namespace MLNet.Embeddings.Kernels;

/// <summary>
/// The gated GELU feed-forward gate <c>a = gelu(x) ⊙ g</c> (ModernBERT's fused <c>Wi</c>, Gemma's
/// <c>gelu_pytorch_tanh(gate_proj) ⊙ up_proj</c>), forward and backward, with exact or tanh GELU.
/// </summary>
public static class GeGlu
{
    [ThreadStatic] static float[]? t_tmp;

    static Span<float> Tmp(int n) => (t_tmp is { } b && b.Length >= n ? b : (t_tmp = new float[Math.Max(n, 1024)])).AsSpan(0, n);

    /// <summary><c>a = act(x) ⊙ g</c>.</summary>
    public static void Forward(ActivationKind kind, ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> a)
    {
        Activation.Forward(kind, x, a[..x.Length]);
        TensorPrimitives.Multiply(a[..x.Length], g[..x.Length], a[..x.Length]);
    }

    /// <summary>From dL/da: <c>dx = da ⊙ g ⊙ act'(x)</c>, <c>dg = da ⊙ act(x)</c> (both overwritten).</summary>
    public static void Backward(ActivationKind kind, ReadOnlySpan<float> x, ReadOnlySpan<float> g, ReadOnlySpan<float> da, Span<float> dx, Span<float> dg)
    {
        int n = x.Length;
        var t = Tmp(n);
        Activation.Forward(kind, x, t);
        TensorPrimitives.Multiply(da[..n], t, dg[..n]);
        TensorPrimitives.Multiply(da[..n], g[..n], t);
        Activation.Backward(kind, x, t, dx[..n]);
    }
}
