using MLNet.Embeddings.Backbones.Gemma3;
using MLNet.Embeddings.Backbones.Rope;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>
/// Writes Hugging Face Gemma3TextModel's forward pass (eval mode) as EmbeddingGemma runs it, in default-domain ONNX
/// ops: embeddings × √hidden; per layer RMSNorm with (1 + w) before and after attention and feed-forward, q/k norms,
/// rotary with the full or sliding layers' base, grouped-query attention scaled by query_pre_attn_scalar^−½ under
/// the layer's band mask (bidirectional or causal, with the sliding window) plus padding, GeGLU; final norm; then
/// optional pooling, the sentence-transformers Dense modules, and L2 normalisation.
/// </summary>
internal sealed class Gemma3GraphWriter
{
    readonly OnnxGraph _g;
    readonly IReadOnlyDictionary<string, Parameter> _p;
    readonly float _eps;

    Gemma3GraphWriter(OnnxGraph graph, IReadOnlyDictionary<string, Parameter> parameters, float eps) { _g = graph; _p = parameters; _eps = eps; }

    public static OnnxGraph Build(Gemma3Config config, IReadOnlyDictionary<string, Parameter> parameters, IReadOnlyList<DenseLayer> dense,
        PoolingMode pooling, bool normalize, OnnxExportOptions options)
    {
        if (options.Opset is < 14 or > 21) throw new ConfigurationException("opset", $"must be between 14 and 21, found {options.Opset}.");
        if (options.Quantize != OnnxQuantization.None) throw new ConfigurationException("quantize", "int8 export is available for BERT-family models only.");
        var w = new Gemma3GraphWriter(new OnnxGraph(options.Opset), parameters, config.RmsNormEps);
        w.Write(config, dense, pooling, normalize, options.IncludePooling);
        return w._g;
    }

    Parameter P(string name)
        => _p.TryGetValue(name, out var p) ? p : throw new ModelFormatException("model.safetensors", $"tensor '{name}' not found.");

    void Write(Gemma3Config c, IReadOnlyList<DenseLayer> dense, PoolingMode pooling, bool normalize, bool includePooling)
    {
        var g = _g;
        int H = c.HiddenSize, nh = c.NumAttentionHeads, kv = c.NumKeyValueHeads, d = c.HeadDim;
        var ids = g.Input("input_ids", OnnxGraph.Int64, "batch", "sequence");
        var mask = g.Input("attention_mask", OnnxGraph.Int64, "batch", "sequence");
        var emb = P("embed_tokens.weight");
        var x = g.Node("Mul", [g.Node("Gather", [g.Init(emb.Name, emb.Value, emb.Shape[0], emb.Shape[1]), ids]), g.Scalar(MathF.Sqrt(H))]);
        var maskF = g.Node("Cast", [mask], ("to", OnnxGraph.Float));
        var seqLen = g.Node("Gather", [g.Node("Shape", [ids]), g.Longs(true, 1)]);
        var positions = g.Node("Range", [g.Longs(true, 0), seqLen, g.Longs(true, 1)]);
        var keyMask = g.Node("Unsqueeze", [g.Node("Cast", [mask], ("to", 9)), g.Longs(false, 1, 2, 3)]);   // [B,1,1,1,T]
        var offsets = RopeGraph.Offsets(g, positions);
        var tables = new Dictionary<double, (string, string)>();
        var masks = new Dictionary<AttentionMask, string>();
        float scale = (float)(1.0 / Math.Sqrt(c.QueryPreAttnScalar));

        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            string p = $"layers.{l}.";
            double theta = c.Theta(l);
            if (!tables.TryGetValue(theta, out var table)) tables[theta] = table = RopeGraph.Tables(g, positions, theta, d);
            var band = c.Mask(l);
            if (!masks.TryGetValue(band, out var bias)) masks[band] = bias = RopeGraph.Bias(g, band, offsets, keyMask);
            var h1 = RmsNorm(x, p + "input_layernorm.weight");
            var q = RopeGraph.Apply(g, RopeGraph.Heads(g, Linear(h1, p + "self_attn.q_proj"), nh, d, t => RmsNorm(t, p + "self_attn.q_norm.weight")), table, d);
            var k = RopeGraph.Apply(g, RopeGraph.Heads(g, Linear(h1, p + "self_attn.k_proj"), kv, d, t => RmsNorm(t, p + "self_attn.k_norm.weight")), table, d);
            var v = RopeGraph.Heads(g, Linear(h1, p + "self_attn.v_proj"), kv, d);
            var attn = Linear(RopeGraph.GroupedAttention(g, q, k, v, bias, scale, nh, kv, d), p + "self_attn.o_proj");
            x = g.Node("Add", [x, RmsNorm(attn, p + "post_attention_layernorm.weight")]);
            var h2 = RmsNorm(x, p + "pre_feedforward_layernorm.weight");
            var act = g.Node("Mul", [RopeGraph.Activation(g, Linear(h2, p + "mlp.gate_proj"), c.HiddenActivation), Linear(h2, p + "mlp.up_proj")]);
            x = g.Node("Add", [x, RmsNorm(Linear(act, p + "mlp.down_proj"), p + "post_feedforward_layernorm.weight")]);
        }
        x = RmsNorm(x, "norm.weight");
        if (!includePooling || dense.Count == 0)
        {
            PoolingGraph.Outputs(g, x, maskF, H, pooling, normalize, includePooling);
            return;
        }
        var pooled = PoolingGraph.Pool(g, x, maskF, pooling);
        for (int i = 0; i < dense.Count; i++)
        {
            // The modules' tensors are all named linear.*: prefixed with the module folder (2_Dense, 3_Dense, …) in the graph.
            var layer = dense[i];
            string prefix = $"{i + 2}_Dense.";
            var bias = layer.Bias is null ? null : new Parameter(prefix + layer.Bias.Name, layer.Bias.Shape, layer.Bias.Value);
            pooled = RopeGraph.Linear(g, pooled, new Parameter(prefix + layer.Weight.Name, layer.Weight.Shape, layer.Weight.Value), bias);
            if (layer.Activation == DenseActivation.Tanh) pooled = g.Node("Tanh", [pooled]);
        }
        if (normalize) pooled = PoolingGraph.L2Normalize(g, pooled);
        g.Output(pooled, "sentence_embedding", OnnxGraph.Float, "batch", dense[^1].OutFeatures);
        g.Output(x, "token_embeddings", OnnxGraph.Float, "batch", "sequence", H);
    }

    /// <summary>x / √(mean(x²) + eps) · (1 + w) over the last axis (1 + w stored).</summary>
    string RmsNorm(string x, string weight)
    {
        var g = _g;
        var w = P(weight);
        var onePlus = w.Value.Select(v => 1f + v).ToArray();
        var meanSquare = RopeGraph.MeanLast(g, g.Node("Mul", [x, x]));
        var normed = g.Node("Div", [x, g.Node("Sqrt", [g.Node("Add", [meanSquare, g.Scalar(_eps)])])]);
        return g.Node("Mul", [normed, g.Init(weight + ".plus1", onePlus, onePlus.Length)]);
    }

    string Linear(string x, string name) => RopeGraph.Linear(_g, x, P(name + ".weight"), null);
}
