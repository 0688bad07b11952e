using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>sentence-transformers' pooling modes and L2 normalisation as ONNX ops, shared by the graph writers.</summary>
internal static class PoolingGraph
{
    /// <summary>Pools token vectors <paramref name="x"/> [B,T,H] with the float mask <paramref name="maskF"/> [B,T] into [B,H].</summary>
    public static string Pool(OnnxGraph g, string x, string maskF, PoolingMode mode)
    {
        var m = g.Node("Unsqueeze", [maskF, g.Longs(false, 2)]);               // [B,T,1]
        var axis1 = g.Longs(false, 1);
        switch (mode)
        {
            case PoolingMode.Mean or PoolingMode.MeanSqrtLen:
                var sum = g.Node("ReduceSum", [g.Node("Mul", [x, m]), axis1], ("keepdims", 0));   // [B,H]
                var count = g.Node("ReduceSum", [m, axis1], ("keepdims", 0));                    // [B,1]
                count = g.Node("Max", [count, g.Scalar(1e-9f)]);
                return g.Node("Div", [sum, mode == PoolingMode.Mean ? count : g.Node("Sqrt", [count])]);
            case PoolingMode.Cls:
                return g.Node("Gather", [x, g.Longs(true, 0)], ("axis", 1));
            case PoolingMode.Max:
                var masked = g.Node("Add", [g.Node("Mul", [x, m]), g.Node("Mul", [g.Node("Sub", [g.Scalar(1f), m]), g.Scalar(-1e9f)])]);
                return g.Opset >= 18
                    ? g.Node("ReduceMax", [masked, axis1], ("keepdims", 0))
                    : g.Node("ReduceMax", [masked], ("axes", new long[] { 1 }), ("keepdims", 0));
            case PoolingMode.LastToken:
                // The last real token of each right-padded row: a one-hot over positions (length − 1) times x, summed.
                var last = g.Node("Sub", [g.Node("ReduceSum", [maskF, axis1], ("keepdims", 1)), g.Scalar(1f)]);          // [B,1]
                var length = g.Node("Gather", [g.Node("Shape", [maskF]), g.Longs(true, 1)]);
                var slots = g.Node("Cast", [g.Node("Range", [g.Longs(true, 0), length, g.Longs(true, 1)])], ("to", OnnxGraph.Float));
                var pick = g.Node("Cast", [g.Node("Equal", [g.Node("Unsqueeze", [slots, g.Longs(false, 0)]), last])], ("to", OnnxGraph.Float));
                return g.Node("ReduceSum", [g.Node("Mul", [x, g.Node("Unsqueeze", [pick, g.Longs(false, 2)])]), axis1], ("keepdims", 0));
            default:
                throw new ConfigurationException("pooling", $"{mode} pooling is not available inside the ONNX graph (mean, cls, max, mean_sqrt_len, last token); export with --no-pooling and pool in .NET.");
        }
    }

    /// <summary>v / max(‖v‖₂, 1e-12) per row (torch.nn.functional.normalize).</summary>
    public static string L2Normalize(OnnxGraph g, string v)
    {
        var norm = g.Node("Sqrt", [g.Node("ReduceSum", [g.Node("Mul", [v, v]), g.Longs(false, 1)], ("keepdims", 1))]);
        return g.Node("Div", [v, g.Node("Max", [norm, g.Scalar(1e-12f)])]);
    }

    /// <summary>Declares the outputs: pooled (+ normalised) <c>sentence_embedding</c> and <c>token_embeddings</c>, or <c>last_hidden_state</c>.</summary>
    public static void Outputs(OnnxGraph g, string x, string maskF, int width, PoolingMode mode, bool normalize, bool includePooling)
    {
        if (!includePooling)
        {
            g.Output(x, "last_hidden_state", OnnxGraph.Float, "batch", "sequence", width);
            return;
        }
        var pooled = Pool(g, x, maskF, mode);
        if (normalize) pooled = L2Normalize(g, pooled);
        g.Output(pooled, "sentence_embedding", OnnxGraph.Float, "batch", width);
        g.Output(x, "token_embeddings", OnnxGraph.Float, "batch", "sequence", width);
    }
}
