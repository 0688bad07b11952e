using MLNet.Embeddings.Backbones.Rope;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>The pieces the rotary-position graph writers (Qwen3, ModernBERT) share, as plain default-domain ONNX ops.</summary>
internal static class RopeGraph
{
    /// <summary>
    /// cos and sin [T, d] for positions 0..T−1: angle = float(position) · inv_freq in float32 (as Hugging Face and the
    /// managed kernels compute them), Concat(angle, angle).
    /// </summary>
    public static (string Cos, string Sin) Tables(OnnxGraph g, string positions, double theta, int d)
    {
        int half = d / 2;
        var inv = new float[half];
        for (int i = 0; i < half; i++) inv[i] = (float)(1.0 / Math.Pow(theta, 2.0 * i / d));
        var angles = g.Node("Mul", [g.Node("Unsqueeze", [g.Node("Cast", [positions], ("to", OnnxGraph.Float)), g.Longs(false, 1)]),
            g.Init(FormattableString.Invariant($"rotary.inv_freq.{theta:R}"), inv, 1, half)]);
        var emb = g.Node("Concat", [angles, angles], ("axis", -1));
        return (g.Node("Cos", [emb]), g.Node("Sin", [emb]));
    }

    /// <summary>x·cos + rotate_half(x)·sin over the last axis, with rotate_half(x) = [−x₂, x₁].</summary>
    public static string Apply(OnnxGraph g, string x, (string Cos, string Sin) table, int d)
    {
        int half = d / 2;
        var axis = g.Longs(false, -1);
        var x1 = g.Node("Slice", [x, g.Longs(false, 0), g.Longs(false, half), axis]);
        var x2 = g.Node("Slice", [x, g.Longs(false, half), g.Longs(false, d), axis]);
        var rotated = g.Node("Concat", [g.Node("Neg", [x2]), x1], ("axis", -1));
        return g.Node("Add", [g.Node("Mul", [x, table.Cos]), g.Node("Mul", [rotated, table.Sin])]);
    }

    /// <summary>j − i for query i and key j, [T, T] int64, from the positions 0..T−1.</summary>
    public static string Offsets(OnnxGraph g, string positions)
        => g.Node("Sub", [g.Node("Unsqueeze", [positions, g.Longs(false, 0)]), g.Node("Unsqueeze", [positions, g.Longs(false, 1)])]);

    /// <summary>
    /// Additive attention bias: 0 where query i sees key j (j − i within <paramref name="band"/> and key j not
    /// padding), float32 min elsewhere. <paramref name="keyMask"/> is the bool padding mask unsqueezed to broadcast
    /// against the scores' key axis.
    /// </summary>
    public static string Bias(OnnxGraph g, AttentionMask band, string offsets, string keyMask)
    {
        string visible = keyMask;
        if (band.Right != int.MaxValue) visible = g.Node("And", [visible, g.Node("Not", [g.Node("Greater", [offsets, g.Longs(true, band.Right)])])]);
        if (band.Left != int.MaxValue) visible = g.Node("And", [visible, g.Node("Not", [g.Node("Less", [offsets, g.Longs(true, -(long)band.Left)])])]);
        return g.Node("Where", [visible, g.Scalar(0f), g.Scalar(float.MinValue)]);
    }

    /// <summary>y = x·Wᵀ (+ b), with W [out,in] stored transposed ([in,out]).</summary>
    public static string Linear(OnnxGraph g, string x, Parameter weight, Parameter? bias)
    {
        int outDim = weight.Shape[0], inDim = weight.Shape[1];
        var wt = new float[weight.Value.Length];
        for (int o = 0; o < outDim; o++)
            for (int i = 0; i < inDim; i++) wt[i * outDim + o] = weight.Value[o * inDim + i];
        var product = g.Node("MatMul", [x, g.Init(weight.Name + ".T", wt, inDim, outDim)]);
        return bias is null ? product : g.Node("Add", [product, g.Init(bias.Name, bias.Value, bias.Value.Length)]);
    }

    /// <summary>
    /// Grouped-query attention: q [B,nh,T,d], k and v [B,kv,T,d]; query head h = g·rep + r uses key/value head g
    /// (MatMul broadcasts [B,kv,rep,T,d] × [B,kv,1,d,T]); <paramref name="bias"/> broadcasts to [B,kv,rep,T,T].
    /// Returns the context merged back to [B,T,nh·d].
    /// </summary>
    public static string GroupedAttention(OnnxGraph g, string q, string k, string v, string bias, float scale, int nh, int kv, int d)
    {
        var q5 = g.Node("Reshape", [q, g.Longs(false, 0, kv, nh / kv, -1, d)]);
        var kT = g.Node("Unsqueeze", [g.Node("Transpose", [k], ("perm", new long[] { 0, 1, 3, 2 })), g.Longs(false, 2)]);
        var v5 = g.Node("Unsqueeze", [v, g.Longs(false, 2)]);
        var scores = g.Node("Add", [g.Node("Mul", [g.Node("MatMul", [q5, kT]), g.Scalar(scale)]), bias]);
        var context = g.Node("Reshape", [g.Node("MatMul", [g.Node("Softmax", [scores], ("axis", -1)), v5]), g.Longs(false, 0, nh, -1, d)]);
        return g.Node("Reshape", [g.Node("Transpose", [context], ("perm", new long[] { 0, 2, 1, 3 })), g.Longs(false, 0, 0, nh * d)]);
    }

    /// <summary>Splits [B,T,heads·d] into heads [B,heads,T,d], applying <paramref name="perHead"/> (a norm) before the transpose.</summary>
    public static string Heads(OnnxGraph g, string x, int heads, int d, Func<string, string>? perHead = null)
    {
        var split = g.Node("Reshape", [x, g.Longs(false, 0, 0, heads, d)]);
        if (perHead is not null) split = perHead(split);
        return g.Node("Transpose", [split], ("perm", new long[] { 0, 2, 1, 3 }));
    }

    /// <summary>Feed-forward activations: erf GELU, tanh GELU, ReLU.</summary>
    public static string Activation(OnnxGraph g, string h, MLNet.Embeddings.Kernels.ActivationKind kind)
    {
        switch (kind)
        {
            case MLNet.Embeddings.Kernels.ActivationKind.Gelu:
                return g.Node("Mul", [g.Node("Mul", [h, g.Scalar(0.5f)]),
                    g.Node("Add", [g.Node("Erf", [g.Node("Div", [h, g.Scalar(MathF.Sqrt(2f))])]), g.Scalar(1f)])]);
            case MLNet.Embeddings.Kernels.ActivationKind.GeluTanh:
                var cube = g.Node("Mul", [g.Node("Mul", [h, h]), h]);
                var inner = g.Node("Mul", [g.Node("Add", [h, g.Node("Mul", [cube, g.Scalar(0.044715f)])]), g.Scalar(MathF.Sqrt(2f / MathF.PI))]);
                return g.Node("Mul", [g.Node("Mul", [h, g.Scalar(0.5f)]), g.Node("Add", [g.Node("Tanh", [inner]), g.Scalar(1f)])]);
            default:
                return g.Node("Relu", [h]);
        }
    }

    /// <summary>Mean over the last axis, keeping it (ReduceMean's axes moved from attribute to input in opset 18).</summary>
    public static string MeanLast(OnnxGraph g, string x) => g.Opset >= 18
        ? g.Node("ReduceMean", [x, g.Longs(false, -1)], ("keepdims", 1))
        : g.Node("ReduceMean", [x], ("axes", new long[] { -1 }), ("keepdims", 1));
}
