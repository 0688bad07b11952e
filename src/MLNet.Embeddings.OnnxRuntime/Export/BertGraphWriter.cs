using MLNet.Embeddings.Heads;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>
/// Writes Hugging Face BertModel's forward pass (eval mode) as ONNX ops: Gather embeddings + LayerNorm; per layer
/// MatMul+Add projections, Reshape/Transpose into heads, scaled scores + additive mask bias, Softmax, context,
/// output projection, residual + LayerNorm, feed-forward with erf GELU; then optional pooling and L2 normalisation, or
/// (with a head) the sequence-classification head of Hugging Face's <c>*ForSequenceClassification</c>: the first token →
/// dense + tanh → classifier, written as the <c>logits</c> output (no activation, as Hugging Face's exports).
/// Linear weights ([out,in] like PyTorch) are stored transposed ([in,out]) so MatMul needs no Transpose at run time.
/// </summary>
internal sealed class BertGraphWriter
{
    readonly OnnxGraph _g;
    readonly IReadOnlyDictionary<string, Parameter> _p;
    readonly OnnxExportOptions _o;
    readonly string _prefix;

    BertGraphWriter(OnnxGraph graph, IReadOnlyDictionary<string, Parameter> parameters, OnnxExportOptions options, string prefix)
    {
        _g = graph; _p = parameters; _o = options; _prefix = prefix;
    }

    /// <summary>
    /// Builds the graph. With <paramref name="head"/>, the output is <c>logits</c> [batch, NumLabels] from the head's
    /// tensors (Hugging Face names, see <see cref="SequenceClassificationHead.Names"/>) in <paramref name="parameters"/>;
    /// otherwise pooling and normalisation follow <paramref name="pooling"/> / <paramref name="normalize"/>.
    /// </summary>
    public static OnnxGraph Build(BertExportConfig config, IReadOnlyDictionary<string, Parameter> parameters, PoolingMode pooling, bool normalize, OnnxExportOptions options,
        ClassificationHeadStyle? head = null)
    {
        if (options.Opset is < 14 or > 21) throw new ConfigurationException("opset", $"must be between 14 and 21, found {options.Opset}.");
        if (config.HiddenSize % config.Heads != 0)
            throw new ConfigurationException("num_attention_heads", $"hidden_size {config.HiddenSize} is not divisible by {config.Heads} heads.");
        string prefix = parameters.ContainsKey("embeddings.word_embeddings.weight") ? ""
            : parameters.ContainsKey("bert.embeddings.word_embeddings.weight") ? "bert."
            : throw new ModelFormatException("model.safetensors", "tensor 'embeddings.word_embeddings.weight' not found; is this a BERT checkpoint?");
        var w = new BertGraphWriter(new OnnxGraph(options.Opset), parameters, options, prefix);
        w.Write(config, pooling, normalize, head);
        return w._g;
    }

    Parameter P(string name)
        => _p.TryGetValue(_prefix + name, out var p) ? p
            : throw new ModelFormatException("model.safetensors", $"tensor '{_prefix + name}' not found.");

    string Weight(string name) { var p = P(name); return _g.Init(p.Name, p.Value, p.Shape.Select(d => (long)d).ToArray()); }

    void Write(BertExportConfig c, PoolingMode pooling, bool normalize, ClassificationHeadStyle? head)
    {
        var g = _g;
        int H = c.HiddenSize, nh = c.Heads, dh = H / nh;
        var ids = g.Input("input_ids", OnnxGraph.Int64, "batch", "sequence");
        var mask = g.Input("attention_mask", OnnxGraph.Int64, "batch", "sequence");
        var types = g.Input("token_type_ids", OnnxGraph.Int64, "batch", "sequence");

        // Embeddings: word + position (0..T-1) + token type, then LayerNorm.
        var word = g.Node("Gather", [Weight("embeddings.word_embeddings.weight"), ids]);
        var seqLen = g.Node("Gather", [g.Node("Shape", [ids]), g.Longs(true, 1)]);
        // Positions offset..offset+T-1 (RoBERTa starts after the padding id; padded slots are masked, so their ids do not matter).
        var positions = c.PositionOffset == 0
            ? g.Node("Range", [g.Longs(true, 0), seqLen, g.Longs(true, 1)])
            : g.Node("Range", [g.Longs(true, c.PositionOffset), g.Node("Add", [seqLen, g.Longs(true, c.PositionOffset)]), g.Longs(true, 1)]);
        var pos = g.Node("Gather", [Weight("embeddings.position_embeddings.weight"), positions]);
        var typ = g.Node("Gather", [Weight("embeddings.token_type_embeddings.weight"), types]);
        var x = LayerNorm(g.Node("Add", [g.Node("Add", [word, pos]), typ]), "embeddings.LayerNorm", c.LayerNormEps);

        // Attention mask → additive bias [B,1,1,T]: 0 where attended, float32 min where padded (as Hugging Face).
        var maskF = g.Node("Cast", [mask], ("to", OnnxGraph.Float));
        var bias = g.Node("Mul", [g.Node("Sub", [g.Scalar(1f), maskF]), g.Scalar(float.MinValue)]);
        var bias4 = g.Node("Unsqueeze", [bias, g.Longs(false, 1, 2)]);
        var headShape = g.Longs(false, 0, 0, nh, dh);
        var mergedShape = g.Longs(false, 0, 0, H);
        var scale = g.Scalar(MathF.Sqrt(dh));

        for (int i = 0; i < c.Layers; i++)
        {
            string l = $"encoder.layer.{i}.";
            string Heads(string t, long[] perm) => g.Node("Transpose", [g.Node("Reshape", [t, headShape])], ("perm", perm));
            var q = Heads(Linear(x, l + "attention.self.query"), [0, 2, 1, 3]);
            var k = Heads(Linear(x, l + "attention.self.key"), [0, 2, 3, 1]);
            var v = Heads(Linear(x, l + "attention.self.value"), [0, 2, 1, 3]);
            var scores = g.Node("Add", [g.Node("Div", [g.Node("MatMul", [q, k]), scale]), bias4]);
            var probs = g.Node("Softmax", [scores], ("axis", -1));
            var context = g.Node("Reshape", [g.Node("Transpose", [g.Node("MatMul", [probs, v])], ("perm", new long[] { 0, 2, 1, 3 })), mergedShape]);
            var attn = Linear(context, l + "attention.output.dense");
            x = LayerNorm(g.Node("Add", [attn, x]), l + "attention.output.LayerNorm", c.LayerNormEps);
            var inner = Activation(Linear(x, l + "intermediate.dense"), c.HiddenAct);
            var output = Linear(inner, l + "output.dense");
            x = LayerNorm(g.Node("Add", [output, x]), l + "output.LayerNorm", c.LayerNormEps);
        }

        if (head is { } style) ClassificationHead(x, style);
        else PoolingGraph.Outputs(g, x, maskF, H, pooling, normalize, _o.IncludePooling);
    }

    /// <summary>
    /// logits = classifier(tanh(dense(x[:, 0]))): BERT's pooler + classifier, or RoBERTa's classifier.dense +
    /// classifier.out_proj (dropout is the identity at inference).
    /// </summary>
    void ClassificationHead(string x, ClassificationHeadStyle style)
    {
        var (dw, db, ow, ob) = SequenceClassificationHead.Names(style);
        var first = _g.Node("Gather", [x, _g.Longs(true, 0)], ("axis", 1));                       // [B,H]
        var pooled = _g.Node("Tanh", [Linear(first, Stem(dw), HeadTensor(dw), HeadTensor(db))]);
        var outW = HeadTensor(ow);
        var logits = Linear(pooled, Stem(ow), outW, HeadTensor(ob));
        _g.Output(logits, "logits", OnnxGraph.Float, "batch", outW.Shape[0]);
    }

    static string Stem(string weightName) => weightName[..^".weight".Length];

    /// <summary>A head tensor by its Hugging Face name (BERT's pooler also without the <c>bert.</c> prefix, as in a bare BertModel).</summary>
    Parameter HeadTensor(string name)
    {
        if (_p.TryGetValue(name, out var p)) return p;
        if (name.StartsWith("bert.", StringComparison.Ordinal) && _p.TryGetValue(name["bert.".Length..], out p)) return p;
        throw new ModelFormatException("model.safetensors", $"tensor '{name}' not found; a sequence-classification head needs it.");
    }

    /// <summary>y = x·Wᵀ + b, with W [out,in] stored transposed; int8 when asked.</summary>
    string Linear(string x, string name) => Linear(x, name, P(name + ".weight"), P(name + ".bias"));

    /// <summary>As <see cref="Linear(string, string)"/> over given tensors; initialisers are named after <paramref name="name"/>.</summary>
    string Linear(string x, string name, Parameter wp, Parameter bias)
    {
        int outDim = wp.Shape[0], inDim = wp.Shape[1];
        var wt = new float[wp.Value.Length];
        for (int o = 0; o < outDim; o++)
            for (int i = 0; i < inDim; i++) wt[i * outDim + o] = wp.Value[o * inDim + i];
        string product = _o.Quantize == OnnxQuantization.Int8
            ? Int8MatMul(x, name + ".weight", wt, inDim, outDim)
            : _g.Node("MatMul", [x, _g.Init(name + ".weight.T", wt, inDim, outDim)]);
        return _g.Node("Add", [product, _g.Init(bias.Name, bias.Value, bias.Shape.Select(d => (long)d).ToArray())]);
    }

    /// <summary>
    /// DynamicQuantizeLinear(x) → MatMulInteger(x_q, W_q, x_zp, 0) → Cast → × (x_scale · w_scale): the pattern
    /// ORT's quantize_dynamic writes and its CPU provider fuses into DynamicQuantizeMatMul. Weights are symmetric
    /// int8 (zero point 0), one scale per output column or per matrix.
    /// </summary>
    string Int8MatMul(string x, string name, float[] wt, int inDim, int outDim)
    {
        float qmax = _o.ReduceRange ? 63f : 127f;
        int groups = _o.PerChannel ? outDim : 1;
        var scales = new float[groups];
        for (int i = 0; i < inDim; i++)
            for (int o = 0; o < outDim; o++)
            {
                int s = _o.PerChannel ? o : 0;
                scales[s] = Math.Max(scales[s], Math.Abs(wt[i * outDim + o]));
            }
        for (int s = 0; s < groups; s++) scales[s] = scales[s] > 0 ? scales[s] / qmax : 1f;
        var q = new sbyte[wt.Length];
        for (int i = 0; i < inDim; i++)
            for (int o = 0; o < outDim; o++)
                q[i * outDim + o] = (sbyte)Math.Clamp(MathF.Round(wt[i * outDim + o] / scales[_o.PerChannel ? o : 0]), -qmax, qmax);
        long[] scaleDims = _o.PerChannel ? [outDim] : [];
        var wq = _g.InitInt8(name + "_quantized", q, inDim, outDim);
        var wScale = _g.Init(name + "_scale", scales, scaleDims);
        var wZero = _g.InitInt8(name + "_zero_point", new sbyte[groups], scaleDims);
        var dq = _g.Node("DynamicQuantizeLinear", [x], 3);
        var integer = _g.Node("MatMulInteger", [dq[0], wq, dq[2], wZero]);
        var asFloat = _g.Node("Cast", [integer], ("to", OnnxGraph.Float));
        return _g.Node("Mul", [asFloat, _g.Node("Mul", [dq[1], wScale])]);
    }

    string Activation(string h, string act)
    {
        var g = _g;
        switch (act)
        {
            case "gelu":
                return g.Node("Mul", [g.Node("Mul", [h, g.Scalar(0.5f)]),
                    g.Node("Add", [g.Node("Erf", [g.Node("Div", [h, g.Scalar(MathF.Sqrt(2f))])]), g.Scalar(1f)])]);
            case "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast":
                // 0.5·h·(1 + tanh(√(2/π)·(h + 0.044715·h³)))
                var cube = g.Node("Mul", [g.Node("Mul", [h, h]), h]);
                var inner = g.Node("Mul", [g.Node("Add", [h, g.Node("Mul", [cube, g.Scalar(0.044715f)])]), g.Scalar(MathF.Sqrt(2f / MathF.PI))]);
                return g.Node("Mul", [g.Node("Mul", [h, g.Scalar(0.5f)]), g.Node("Add", [g.Node("Tanh", [inner]), g.Scalar(1f)])]);
            case "relu":
                return g.Node("Relu", [h]);
            default:
                throw new ConfigurationException("hidden_act", $"'{act}' is not supported by the ONNX exporter (gelu, gelu_new, gelu_pytorch_tanh, relu).");
        }
    }

    string LayerNorm(string x, string name, float eps)
    {
        var g = _g;
        var gamma = Weight(name + ".weight");
        var beta = Weight(name + ".bias");
        if (g.Opset >= 17) return g.Node("LayerNormalization", [x, gamma, beta], ("axis", -1), ("epsilon", eps));
        var mean = ReduceMean(x);
        var d = g.Node("Sub", [x, mean]);
        var variance = ReduceMean(g.Node("Mul", [d, d]));
        var normed = g.Node("Div", [d, g.Node("Sqrt", [g.Node("Add", [variance, g.Scalar(eps)])])]);
        return g.Node("Add", [g.Node("Mul", [normed, gamma]), beta]);
    }

    string ReduceMean(string x) => _g.Opset >= 18
        ? _g.Node("ReduceMean", [x, _g.Longs(false, -1)], ("keepdims", 1))
        : _g.Node("ReduceMean", [x], ("axes", new long[] { -1 }), ("keepdims", 1));
}
