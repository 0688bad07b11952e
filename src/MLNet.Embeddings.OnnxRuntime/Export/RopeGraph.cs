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

    /// <summary>Mean over the last axis, keeping it (ReduceMean's axes moved from attribute to input in opset 18).</summary>
    public static string MeanLast(OnnxGraph g, string x) => g.Opset >= 18
        ? g.Node("ReduceMean", [x, g.Longs(false, -1)], ("keepdims", 1))
        : g.Node("ReduceMean", [x], ("axes", new long[] { -1 }), ("keepdims", 1));
}
