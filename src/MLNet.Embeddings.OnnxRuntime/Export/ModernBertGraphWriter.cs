using MLNet.Embeddings.Backbones.ModernBert;
using MLNet.Embeddings.Backbones.Rope;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>
/// Writes Hugging Face ModernBertModel's forward pass (eval mode) in default-domain ONNX ops: Gather embeddings +
/// LayerNorm; pre-norm layers (no norm before layer 0) with the fused <c>Wqkv</c> split by Reshape/Gather, rotary
/// positions with the global or local theta, bidirectional attention in global layers and the ±local_attention/2
/// band elsewhere (plus the padding mask), GeGLU through the fused <c>Wi</c>; final LayerNorm; LayerNorm and linear
/// biases only where the checkpoint has them; then optional pooling and L2 normalisation.
/// </summary>
internal sealed class ModernBertGraphWriter
{
    readonly OnnxGraph _g;
    readonly IReadOnlyDictionary<string, Parameter> _p;
    readonly ModernBertConfig _c;

    ModernBertGraphWriter(OnnxGraph graph, IReadOnlyDictionary<string, Parameter> parameters, ModernBertConfig config) { _g = graph; _p = parameters; _c = config; }

    public static OnnxGraph Build(ModernBertConfig config, IReadOnlyDictionary<string, Parameter> parameters, PoolingMode pooling, bool normalize, OnnxExportOptions options)
    {
        if (options.Opset is < 14 or > 21) throw new ConfigurationException("opset", $"must be between 14 and 21, found {options.Opset}.");
        if (options.Quantize != OnnxQuantization.None) throw new ConfigurationException("quantize", "int8 export is available for BERT-family models only.");
        var w = new ModernBertGraphWriter(new OnnxGraph(options.Opset), parameters, config);
        w.Write(pooling, normalize, options.IncludePooling);
        return w._g;
    }

    Parameter P(string name)
        => _p.TryGetValue(name, out var p) ? p : throw new ModelFormatException("model.safetensors", $"tensor '{name}' not found.");

    Parameter? Optional(string name) => _p.TryGetValue(name, out var p) ? p : null;

    void Write(PoolingMode pooling, bool normalize, bool includePooling)
    {
        var g = _g; var c = _c;
        int H = c.HiddenSize, nh = c.NumAttentionHeads, d = c.HeadDim;
        var ids = g.Input("input_ids", OnnxGraph.Int64, "batch", "sequence");
        var mask = g.Input("attention_mask", OnnxGraph.Int64, "batch", "sequence");
        var emb = P("embeddings.tok_embeddings.weight");
        var x = LayerNorm(g.Node("Gather", [g.Init(emb.Name, emb.Value, emb.Shape[0], emb.Shape[1]), ids]), "embeddings.norm");
        var maskF = g.Node("Cast", [mask], ("to", OnnxGraph.Float));
        var seqLen = g.Node("Gather", [g.Node("Shape", [ids]), g.Longs(true, 1)]);
        var positions = g.Node("Range", [g.Longs(true, 0), seqLen, g.Longs(true, 1)]);
        var keyMask = g.Node("Unsqueeze", [g.Node("Cast", [mask], ("to", 9)), g.Longs(false, 1, 2)]);   // [B,1,1,T]
        var offsets = RopeGraph.Offsets(g, positions);
        var tables = new Dictionary<double, (string, string)>();
        var masks = new Dictionary<AttentionMask, string>();
        var scale = g.Scalar(1f / MathF.Sqrt(d));

        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            string p = $"layers.{l}.";
            double theta = c.RopeTheta(l);
            if (!tables.TryGetValue(theta, out var table)) tables[theta] = table = RopeGraph.Tables(g, positions, theta, d);
            var band = c.Mask(l);
            if (!masks.TryGetValue(band, out var bias)) masks[band] = bias = RopeGraph.Bias(g, band, offsets, keyMask);
            var h1 = l == 0 ? x : LayerNorm(x, p + "attn_norm");
            // [B,T,3H] → [B,T,3,nh,d] → [3,B,nh,T,d]
            var qkv = g.Node("Transpose", [g.Node("Reshape", [Linear(h1, p + "attn.Wqkv"), g.Longs(false, 0, 0, 3, nh, d)])], ("perm", new long[] { 2, 0, 3, 1, 4 }));
            var q = RopeGraph.Apply(g, g.Node("Gather", [qkv, g.Longs(true, 0)], ("axis", 0)), table, d);
            var k = RopeGraph.Apply(g, g.Node("Gather", [qkv, g.Longs(true, 1)], ("axis", 0)), table, d);
            var v = g.Node("Gather", [qkv, g.Longs(true, 2)], ("axis", 0));
            var scores = g.Node("Add", [g.Node("Mul", [g.Node("MatMul", [q, g.Node("Transpose", [k], ("perm", new long[] { 0, 1, 3, 2 }))]), scale]), bias]);
            var context = g.Node("MatMul", [g.Node("Softmax", [scores], ("axis", -1)), v]);
            var merged = g.Node("Reshape", [g.Node("Transpose", [context], ("perm", new long[] { 0, 2, 1, 3 })), g.Longs(false, 0, 0, H)]);
            x = g.Node("Add", [x, Linear(merged, p + "attn.Wo")]);
            var wi = Linear(LayerNorm(x, p + "mlp_norm"), p + "mlp.Wi");
            int inter = P(p + "mlp.Wi.weight").Shape[0] / 2;
            var axis = g.Longs(false, -1);
            var input = g.Node("Slice", [wi, g.Longs(false, 0), g.Longs(false, inter), axis]);
            var gate = g.Node("Slice", [wi, g.Longs(false, inter), g.Longs(false, 2 * inter), axis]);
            x = g.Node("Add", [x, Linear(g.Node("Mul", [RopeGraph.Activation(g, input, c.HiddenActivation), gate]), p + "mlp.Wo")]);
        }
        x = LayerNorm(x, "final_norm");
        PoolingGraph.Outputs(g, x, maskF, H, pooling, normalize, includePooling);
    }

    string Linear(string x, string name) => RopeGraph.Linear(_g, x, P(name + ".weight"), Optional(name + ".bias"));

    string LayerNorm(string x, string name)
    {
        var g = _g;
        var w = P(name + ".weight");
        var gamma = g.Init(w.Name, w.Value, w.Value.Length);
        var b = Optional(name + ".bias");
        string? beta = b is null ? null : g.Init(b.Name, b.Value, b.Value.Length);
        if (g.Opset >= 17)
            return g.Node("LayerNormalization", beta is null ? [x, gamma] : [x, gamma, beta], ("axis", -1), ("epsilon", _c.NormEps));
        var diff = g.Node("Sub", [x, RopeGraph.MeanLast(g, x)]);
        var variance = RopeGraph.MeanLast(g, g.Node("Mul", [diff, diff]));
        var scaled = g.Node("Mul", [g.Node("Div", [diff, g.Node("Sqrt", [g.Node("Add", [variance, g.Scalar(_c.NormEps)])])]), gamma]);
        return beta is null ? scaled : g.Node("Add", [scaled, beta]);
    }
}
