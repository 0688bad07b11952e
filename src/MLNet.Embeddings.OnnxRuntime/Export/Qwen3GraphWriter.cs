using MLNet.Embeddings.Backbones.Qwen3;
using MLNet.Embeddings.Backbones.Rope;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>
/// Writes Hugging Face Qwen3Model's forward pass (eval mode) in plain default-domain ONNX ops: Gather embeddings;
/// per layer RMSNorm (ReduceMean/Sqrt/Div), q/k/v projections, per-head q/k RMSNorm, rotary positions (cos/sin
/// computed from the positions 0..T−1 and the float32 inverse frequencies, as Hugging Face does), grouped-query
/// attention by broadcasting each key/value head over its query heads, causal (or sliding-window) mask built from
/// the positions plus the padding mask, SwiGLU (x·Sigmoid(x)); final RMSNorm; then optional pooling (last token for
/// Qwen3-Embedding) and L2 normalisation. Linear weights are stored transposed ([in,out]).
/// </summary>
internal sealed class Qwen3GraphWriter
{
    readonly OnnxGraph _g;
    readonly IReadOnlyDictionary<string, Parameter> _p;

    Qwen3GraphWriter(OnnxGraph graph, IReadOnlyDictionary<string, Parameter> parameters) { _g = graph; _p = parameters; }

    public static OnnxGraph Build(Qwen3Config config, IReadOnlyDictionary<string, Parameter> parameters, PoolingMode pooling, bool normalize, OnnxExportOptions options)
    {
        if (options.Opset is < 14 or > 21) throw new ConfigurationException("opset", $"must be between 14 and 21, found {options.Opset}.");
        if (options.Quantize != OnnxQuantization.None) throw new ConfigurationException("quantize", "int8 export is available for BERT-family models only.");
        var w = new Qwen3GraphWriter(new OnnxGraph(options.Opset), parameters);
        w.Write(config, pooling, normalize, options.IncludePooling);
        return w._g;
    }

    Parameter P(string name)
        => _p.TryGetValue(name, out var p) ? p : throw new ModelFormatException("model.safetensors", $"tensor '{name}' not found.");

    string Weight(string name) { var p = P(name); return _g.Init(p.Name, p.Value, p.Shape.Select(d => (long)d).ToArray()); }

    void Write(Qwen3Config c, PoolingMode pooling, bool normalize, bool includePooling)
    {
        var g = _g;
        int H = c.HiddenSize, nh = c.NumAttentionHeads, kv = c.NumKeyValueHeads, d = c.HeadDim;
        var ids = g.Input("input_ids", OnnxGraph.Int64, "batch", "sequence");
        var mask = g.Input("attention_mask", OnnxGraph.Int64, "batch", "sequence");
        var x = g.Node("Gather", [Weight("embed_tokens.weight"), ids]);
        var maskF = g.Node("Cast", [mask], ("to", OnnxGraph.Float));
        var seqLen = g.Node("Gather", [g.Node("Shape", [ids]), g.Longs(true, 1)]);
        var positions = g.Node("Range", [g.Longs(true, 0), seqLen, g.Longs(true, 1)]);   // [T]

        var rotary = RopeGraph.Tables(g, positions, c.RopeTheta, d);

        // Padding: keys of padded slots are hidden, as bool [B,1,1,1,T] (broadcast over kv heads, groups, queries).
        var keyMask = g.Node("Unsqueeze", [g.Node("Cast", [mask], ("to", 9)), g.Longs(false, 1, 2, 3)]);
        var offsets = RopeGraph.Offsets(g, positions);
        var masks = new Dictionary<AttentionMask, string>();

        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            string p = $"layers.{l}.";
            var band = c.Mask(l);
            if (!masks.TryGetValue(band, out var bias)) masks[band] = bias = RopeGraph.Bias(g, band, offsets, keyMask);
            var h1 = RmsNorm(x, p + "input_layernorm.weight", c.RmsNormEps);
            var q = RopeGraph.Apply(g, RopeGraph.Heads(g, Linear(h1, p + "self_attn.q_proj", c.AttentionBias), nh, d, t => RmsNorm(t, p + "self_attn.q_norm.weight", c.RmsNormEps)), rotary, d);
            var k = RopeGraph.Apply(g, RopeGraph.Heads(g, Linear(h1, p + "self_attn.k_proj", c.AttentionBias), kv, d, t => RmsNorm(t, p + "self_attn.k_norm.weight", c.RmsNormEps)), rotary, d);
            var v = RopeGraph.Heads(g, Linear(h1, p + "self_attn.v_proj", c.AttentionBias), kv, d);
            var merged = RopeGraph.GroupedAttention(g, q, k, v, bias, 1f / MathF.Sqrt(d), nh, kv, d);
            x = g.Node("Add", [x, Linear(merged, p + "self_attn.o_proj", c.AttentionBias)]);
            var h2 = RmsNorm(x, p + "post_attention_layernorm.weight", c.RmsNormEps);
            var gate = Linear(h2, p + "mlp.gate_proj", false);
            var act = g.Node("Mul", [g.Node("Mul", [gate, g.Node("Sigmoid", [gate])]), Linear(h2, p + "mlp.up_proj", false)]);
            x = g.Node("Add", [x, Linear(act, p + "mlp.down_proj", false)]);
        }
        x = RmsNorm(x, "norm.weight", c.RmsNormEps);
        PoolingGraph.Outputs(g, x, maskF, H, pooling, normalize, includePooling);
    }

    /// <summary>w · x / √(mean(x²) + eps) over the last axis.</summary>
    string RmsNorm(string x, string weight, float eps)
    {
        var g = _g;
        var meanSquare = RopeGraph.MeanLast(g, g.Node("Mul", [x, x]));
        var normed = g.Node("Div", [x, g.Node("Sqrt", [g.Node("Add", [meanSquare, g.Scalar(eps)])])]);
        return g.Node("Mul", [normed, Weight(weight)]);
    }

    string Linear(string x, string name, bool bias)
        => RopeGraph.Linear(_g, x, P(name + ".weight"), bias ? P(name + ".bias") : null);
}
