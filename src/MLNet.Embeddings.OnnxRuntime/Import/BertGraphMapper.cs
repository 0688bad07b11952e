using System.Globalization;
using System.Text.RegularExpressions;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.OnnxRuntime.Import;

/// <summary>
/// Maps a BERT-family ONNX graph (a PyTorch export of a Hugging Face BertModel) onto Hugging Face tensor names and a
/// config.json. Initializers already named as in HF are kept; a MatMul (or Gemm) weight with a numeric name is named
/// after the bias that the Add consuming its output adds (<c>…query.bias</c> → <c>…query.weight</c>) and transposed
/// from ONNX's [in, out] to PyTorch's [out, in]. The config is read off the tensors' shapes and the graph: heads from
/// the query's Reshape constants, activation from the ops after the intermediate dense, LayerNorm ε from the constant
/// added to the variance (or a LayerNormalization node's attribute).
/// </summary>
internal sealed partial class BertGraphMapper
{
    readonly OnnxModel _model;
    readonly string _file;
    readonly Dictionary<string, OnnxNode> _producer = new(StringComparer.Ordinal);
    readonly Dictionary<string, List<OnnxNode>> _consumers = new(StringComparer.Ordinal);

    BertGraphMapper(OnnxModel model, string file)
    {
        _model = model; _file = file;
        foreach (var n in model.Nodes)
        {
            foreach (var o in n.Outputs) _producer[o] = n;
            foreach (var i in n.Inputs)
            {
                if (!_consumers.TryGetValue(i, out var list)) _consumers[i] = list = new List<OnnxNode>();
                list.Add(n);
            }
        }
    }

    [GeneratedRegex(@"^(?:bert\.)?encoder\.layer\.(\d+)\.")]
    private static partial Regex LayerName();

    public static ImportedBert Map(OnnxModel model, string file) => new BertGraphMapper(model, file).Run();

    ImportedBert Run()
    {
        if (!_model.Inputs.Contains("input_ids"))
            throw new ModelFormatException(_file, $"graph input 'input_ids' not found (inputs: {string.Join(", ", _model.Inputs)}); expected a BERT-family export.");
        var tensors = new Dictionary<string, Parameter>(StringComparer.Ordinal);
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var transposedHf = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, t) in _model.Initializers)
            if (t.DataType is OnnxTensor.Float or OnnxTensor.Float16 or OnnxTensor.Double && IsHfName(name))
            {
                tensors[name] = new Parameter(name, t.Dims.Select(d => (int)d).ToArray(), t.ToFloats(_file));
                used.Add(name);
            }

        foreach (var node in _model.Nodes)
        {
            if (node.OpType is not ("MatMul" or "Gemm")) continue;
            if (node.Inputs.Count < 2 || !_model.Initializers.TryGetValue(node.Inputs[1], out var w)) continue;
            if (w.Dims.Count != 2)
                throw new ModelFormatException(_file, $"node {node.Label}: weight '{w.Name}' has shape [{string.Join(", ", w.Dims)}]; expected a 2-D matrix.");
            bool transposed = node.OpType == "Gemm" && node.Attributes.TryGetValue("transB", out var tb) && tb.I == 1;
            int rows = (int)w.Dims[0], cols = (int)w.Dims[1];
            int outDim = transposed ? rows : cols, inDim = transposed ? cols : rows;
            if (IsHfName(w.Name))
            {
                // Already named; a MatMul weight is stored [in, out] (as our exporter writes it): PyTorch wants [out, in].
                if (!transposed && transposedHf.Add(w.Name))
                    tensors[w.Name] = new Parameter(w.Name, [outDim, inDim], Transpose(tensors[w.Name].Value, rows, cols));
                continue;
            }
            string bias = node.OpType == "Gemm" && node.Inputs.Count > 2 && _model.Initializers.ContainsKey(node.Inputs[2])
                ? node.Inputs[2] : BiasAddedTo(node.Outputs[0])
                ?? throw new ModelFormatException(_file, $"node {node.Label}: weight '{w.Name}' [{rows}, {cols}] cannot be named: its output is not added to a named bias (expected an Add with an initializer '….bias' as its other input).");
            if (!bias.EndsWith(".bias", StringComparison.Ordinal))
                throw new ModelFormatException(_file, $"node {node.Label}: weight '{w.Name}' is followed by bias '{bias}', whose name does not end in '.bias'.");
            string name = bias[..^"bias".Length] + "weight";
            var b = _model.Initializers[bias];
            if (b.Count != outDim)
                throw new ModelFormatException(_file, $"node {node.Label}: weight '{w.Name}' has {outDim} outputs but bias '{bias}' has {b.Count} values.");
            if (tensors.ContainsKey(name))
                throw new ModelFormatException(_file, $"node {node.Label}: weight '{w.Name}' would be named '{name}', which another tensor already has.");
            var values = w.ToFloats(_file);
            if (!transposed) values = Transpose(values, rows, cols);
            tensors[name] = new Parameter(name, [outDim, inDim], values);
            renamed[w.Name] = name;
            used.Add(w.Name);
        }

        var config = InferConfig(tensors);
        var ignored = _model.Initializers.Values
            .Where(t => !used.Contains(t.Name) && t.Dims.Count > 0 && t.Count > 1 && t.DataType is OnnxTensor.Float or OnnxTensor.Float16 or OnnxTensor.Double)
            .Select(t => t.Name).ToList();
        if (ignored.Count > 0)
            throw new ModelFormatException(_file, $"float initializers not mapped to any Hugging Face tensor: {string.Join(", ", ignored.Take(5))}{(ignored.Count > 5 ? ", …" : "")}.");
        return new ImportedBert(config, tensors, renamed);
    }

    static bool IsHfName(string name) =>
        name.Contains('.') && (name.EndsWith(".weight", StringComparison.Ordinal) || name.EndsWith(".bias", StringComparison.Ordinal)
            || name.EndsWith(".gamma", StringComparison.Ordinal) || name.EndsWith(".beta", StringComparison.Ordinal));

    /// <summary>The initializer that an Add consuming <paramref name="value"/> adds to it, when there is exactly such an Add.</summary>
    string? BiasAddedTo(string value)
    {
        if (!_consumers.TryGetValue(value, out var users)) return null;
        foreach (var add in users)
        {
            if (add.OpType != "Add" || add.Inputs.Count != 2) continue;
            string other = add.Inputs[0] == value ? add.Inputs[1] : add.Inputs[0];
            if (_model.Initializers.ContainsKey(other) && IsHfName(other)) return other;
        }
        return null;
    }

    static float[] Transpose(float[] a, int rows, int cols)
    {
        var t = new float[a.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                t[c * rows + r] = a[r * cols + c];
        return t;
    }

    BertConfig InferConfig(Dictionary<string, Parameter> tensors)
    {
        Parameter Require(string name)
        {
            foreach (var candidate in new[] { name, "bert." + name })
                if (tensors.TryGetValue(candidate, out var p)) return p;
            throw new ModelFormatException(_file, $"tensor '{name}' not found among the initializers; expected a BERT-family export.");
        }
        var word = Require("embeddings.word_embeddings.weight");
        var position = Require("embeddings.position_embeddings.weight");
        var tokenType = Require("embeddings.token_type_embeddings.weight");
        int hidden = word.Shape[1];
        var layers = tensors.Keys.Select(k => LayerName().Match(k)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().OrderBy(i => i).ToList();
        if (layers.Count == 0) throw new ModelFormatException(_file, "no tensors named encoder.layer.N.*; expected a BERT-family export.");
        for (int i = 0; i < layers.Count; i++)
            if (layers[i] != i) throw new ModelFormatException(_file, $"encoder layers are not numbered 0..{layers.Count - 1}: layer {i} is missing.");
        var inter = Require("encoder.layer.0.intermediate.dense.bias");
        var queryBias = Require("encoder.layer.0.attention.self.query.bias");
        var (heads, headSize) = InferHeads(queryBias.Name);
        if (heads * headSize != hidden)
            throw new ModelFormatException(_file, $"attention reshape gives {heads} heads × {headSize} = {heads * headSize}, but hidden size is {hidden}.");
        return new BertConfig
        {
            ModelType = "bert",
            VocabSize = word.Shape[0],
            HiddenSize = hidden,
            NumHiddenLayers = layers.Count,
            NumAttentionHeads = heads,
            IntermediateSize = inter.Shape[0],
            MaxPositionEmbeddings = position.Shape[0],
            TypeVocabSize = tokenType.Shape[0],
            LayerNormEps = InferEpsilon(Require("embeddings.LayerNorm.weight").Name),
            HiddenAct = InferActivation(Require("encoder.layer.0.intermediate.dense.bias").Name),
            PadTokenId = 0,
        };
    }

    (int Heads, int HeadSize) InferHeads(string queryBias)
    {
        var add = _consumers.GetValueOrDefault(queryBias)?.FirstOrDefault(n => n.OpType == "Add")
            ?? throw new ModelFormatException(_file, $"no Add node uses '{queryBias}'; cannot find the attention heads.");
        var reshape = _consumers.GetValueOrDefault(add.Outputs[0])?.FirstOrDefault(n => n.OpType == "Reshape")
            ?? throw new ModelFormatException(_file, $"node {add.Label}: the query is not reshaped to [batch, sequence, heads, head size]; cannot infer num_attention_heads.");
        var shape = ShapeValues(reshape.Inputs[1]);
        if (shape is null || shape.Count < 4 || shape[^1] <= 0 || shape[^2] <= 0)
            throw new ModelFormatException(_file, $"node {reshape.Label}: target shape [{(shape is null ? "not constant" : string.Join(", ", shape))}]; expected constant heads and head size as its last two entries.");
        return ((int)shape[^2], (int)shape[^1]);
    }

    /// <summary>A Reshape target: a constant, or a Concat of constants and dynamic parts (-1 for those).</summary>
    List<long>? ShapeValues(string value)
    {
        if (Constant(value) is { } c) return c.ToList();
        if (!_producer.TryGetValue(value, out var node) || node.OpType != "Concat") return null;
        var result = new List<long>();
        foreach (var input in node.Inputs)
        {
            if (Constant(input) is { } part) result.AddRange(part);
            else result.Add(-1);
        }
        return result;
    }

    long[]? Constant(string value)
    {
        if (_model.Initializers.TryGetValue(value, out var t)) return t.ToInt64s();
        if (_producer.TryGetValue(value, out var n) && n.OpType == "Constant" && n.Attributes.TryGetValue("value", out var a) && a.T is { } ct)
            return ct.ToInt64s();
        return null;
    }

    float? ScalarConstant(string value)
    {
        OnnxTensor? t = _model.Initializers.GetValueOrDefault(value);
        if (t is null && _producer.TryGetValue(value, out var n) && n.OpType == "Constant" && n.Attributes.TryGetValue("value", out var a)) t = a.T;
        if (t is null || t.Count != 1 || t.DataType is not (OnnxTensor.Float or OnnxTensor.Double or OnnxTensor.Float16)) return null;
        return t.ToFloats(_file)[0];
    }

    float InferEpsilon(string gamma)
    {
        var users = _consumers.GetValueOrDefault(gamma) ?? [];
        if (users.FirstOrDefault(n => n.OpType == "LayerNormalization") is { } ln)
            return ln.Attributes.TryGetValue("epsilon", out var e) && e.F is float f ? f : 1e-5f;
        // Decomposed: Mul(Div(x - mean, Sqrt(Add(var, eps))), gamma).
        var mul = users.FirstOrDefault(n => n.OpType == "Mul")
            ?? throw new ModelFormatException(_file, $"LayerNorm weight '{gamma}' is not used by a Mul or LayerNormalization node; cannot infer layer_norm_eps.");
        string normalised = mul.Inputs[0] == gamma ? mul.Inputs[1] : mul.Inputs[0];
        if (_producer.GetValueOrDefault(normalised) is { OpType: "Div" } div
            && _producer.GetValueOrDefault(div.Inputs[1]) is { OpType: "Sqrt" } sqrt
            && _producer.GetValueOrDefault(sqrt.Inputs[0]) is { OpType: "Add" } add)
        {
            foreach (var input in add.Inputs)
                if (ScalarConstant(input) is float eps) return eps;
        }
        throw new ModelFormatException(_file, $"node {mul.Label}: LayerNorm is not Div(x − mean, Sqrt(variance + ε)) · weight with a constant ε; cannot infer layer_norm_eps.");
    }

    ActivationKind InferActivation(string intermediateBias)
    {
        var add = _consumers.GetValueOrDefault(intermediateBias)?.FirstOrDefault(n => n.OpType == "Add")
            ?? throw new ModelFormatException(_file, $"no Add node uses '{intermediateBias}'; cannot infer hidden_act.");
        // The ops between the intermediate dense and the next MatMul.
        var ops = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<(string Value, int Depth)>([(add.Outputs[0], 0)]);
        OnnxNode? gelu = null;
        while (queue.Count > 0)
        {
            var (value, depth) = queue.Dequeue();
            foreach (var n in _consumers.GetValueOrDefault(value) ?? [])
            {
                if (n.OpType is "MatMul" or "Gemm" || depth > 8 || !ops.Add(n.OpType + "#" + n.Outputs[0])) continue;
                if (n.OpType == "Gelu") gelu = n;
                foreach (var o in n.Outputs) queue.Enqueue((o, depth + 1));
            }
        }
        bool Has(string op) => ops.Any(o => o.StartsWith(op + "#", StringComparison.Ordinal));
        if (gelu is not null)
            return gelu.Attributes.TryGetValue("approximate", out var approx) && approx.S == "tanh" ? ActivationKind.GeluTanh : ActivationKind.Gelu;
        if (Has("Erf")) return ActivationKind.Gelu;
        if (Has("Tanh")) return ActivationKind.GeluTanh;
        if (Has("Relu")) return ActivationKind.Relu;
        throw new ModelFormatException(_file, $"node {add.Label}: the activation after the intermediate dense (ops {string.Join(", ", ops.Select(o => o[..o.IndexOf('#')]).Distinct())}) is not gelu (Erf), gelu_new (Tanh) or relu.");
    }
}
