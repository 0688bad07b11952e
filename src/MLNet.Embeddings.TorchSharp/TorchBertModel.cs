using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MLNet.Embeddings.TorchSharp;

/// <summary>
/// BERT / RoBERTa / XLM-R encoder in libtorch ops over one tensor per Hugging Face weight (same names as the managed
/// <see cref="BertBackbone"/>, from which the weights are copied). A packed <see cref="TokenBatch"/> is padded to its
/// longest sequence with an attention mask; the result is packed again, so callers see the managed layout.
/// </summary>
internal sealed class TorchBertModel : IDisposable
{
    readonly BertConfig _c;
    readonly Dictionary<string, Tensor> _byName = new(StringComparer.Ordinal);
    readonly ScalarType? _low;

    public TorchBertModel(BertConfig config, IReadOnlyList<Parameter> parameters, Device device, ScalarType? lowPrecision, bool requiresGrad)
    {
        _c = config; Device = device; _low = lowPrecision;
        Weights = new Tensor[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            using var host = torch.tensor(p.Value, p.Shape.Select(d => (long)d).ToArray());
            var t = host.to(device).detach();
            if (requiresGrad) t.requires_grad_(true);
            Weights[i] = t;
            _byName[p.Name] = t;
        }
    }

    /// <summary>Where the weights live.</summary>
    public Device Device { get; }
    /// <summary>One tensor per host parameter, same order.</summary>
    public Tensor[] Weights { get; }

    Tensor W(string name) => _byName[name];

    /// <summary>Token embeddings [TotalTokens × hidden] in packed order; dropout only when <paramref name="train"/>.</summary>
    public Tensor Forward(TokenBatch batch, bool train, double hiddenDropout, double attentionDropout)
    {
        int b = batch.Count, l = batch.MaxLength, h = _c.HiddenSize, nh = _c.NumAttentionHeads, hd = _c.HeadSize;
        var ids = new long[b * l]; var types = new long[b * l]; var valid = new bool[b * l]; var packed = new long[batch.TotalTokens];
        for (int s = 0, k = 0; s < b; s++)
            for (int t = 0; t < batch.Length(s); t++, k++)
            {
                int src = batch.Starts[s] + t;
                ids[s * l + t] = batch.Ids[src]; types[s * l + t] = batch.TypeIds[src]; valid[s * l + t] = true;
                packed[k] = s * l + t;
            }
        var idT = torch.tensor(ids, device: Device); var typeT = torch.tensor(types, device: Device);
        var pad = torch.tensor(valid, new long[] { b, 1, 1, l }, device: Device).logical_not();
        var pos = torch.arange(_c.PositionOffset, _c.PositionOffset + l, dtype: ScalarType.Int64, device: Device);
        string e = "embeddings.";
        var x = W(e + "word_embeddings.weight").index_select(0, idT).view(b, l, h)
            + W(e + "position_embeddings.weight").index_select(0, pos).unsqueeze(0)
            + W(e + "token_type_embeddings.weight").index_select(0, typeT).view(b, l, h);
        x = F.layer_norm(x, new long[] { h }, W(e + "LayerNorm.weight"), W(e + "LayerNorm.bias"), _c.LayerNormEps);
        x = F.dropout(x, hiddenDropout, train && hiddenDropout > 0);
        double scale = 1.0 / Math.Sqrt(hd);
        for (int layer = 0; layer < _c.NumHiddenLayers; layer++)
        {
            string p = $"encoder.layer.{layer}.";
            var q = Linear(x, p + "attention.self.query").view(b, l, nh, hd).transpose(1, 2);
            var k = Linear(x, p + "attention.self.key").view(b, l, nh, hd).transpose(1, 2);
            var v = Linear(x, p + "attention.self.value").view(b, l, nh, hd).transpose(1, 2);
            var scores = MatMul(q, k.transpose(-1, -2)).mul(scale).masked_fill(pad, float.NegativeInfinity);
            var probs = F.softmax(scores, -1);
            probs = F.dropout(probs, attentionDropout, train && attentionDropout > 0);
            var ctx = MatMul(probs, v).transpose(1, 2).reshape(b, l, h);
            var a = F.dropout(Linear(ctx, p + "attention.output.dense"), hiddenDropout, train && hiddenDropout > 0);
            var h1 = F.layer_norm(a + x, new long[] { h }, W(p + "attention.output.LayerNorm.weight"), W(p + "attention.output.LayerNorm.bias"), _c.LayerNormEps);
            var inter = Activate(Linear(h1, p + "intermediate.dense"));
            var o = F.dropout(Linear(inter, p + "output.dense"), hiddenDropout, train && hiddenDropout > 0);
            x = F.layer_norm(o + h1, new long[] { h }, W(p + "output.LayerNorm.weight"), W(p + "output.LayerNorm.bias"), _c.LayerNormEps);
        }
        return x.reshape(b * l, h).index_select(0, torch.tensor(packed, device: Device));
    }

    /// <summary>x·Wᵀ + b, in the autocast dtype when one is set (the result back in float32, as autocast leaves reductions).</summary>
    Tensor Linear(Tensor x, string name)
    {
        var w = W(name + ".weight"); var bias = W(name + ".bias");
        if (_low is not { } dt) return F.linear(x, w, bias);
        return F.linear(x.to(dt), w.to(dt), bias.to(dt)).to(ScalarType.Float32);
    }

    Tensor MatMul(Tensor a, Tensor b) => _low is { } dt ? torch.matmul(a.to(dt), b.to(dt)).to(ScalarType.Float32) : torch.matmul(a, b);

    Tensor Activate(Tensor x) => _c.HiddenAct switch
    {
        ActivationKind.Gelu => F.gelu(x),
        ActivationKind.GeluTanh => x * 0.5 * (1 + torch.tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x.pow(3)))),
        ActivationKind.Relu => F.relu(x),
        _ => throw new ConfigurationException("hidden_act", $"{_c.HiddenAct} is not supported by the TorchSharp backbone."),
    };

    /// <summary>Copies the tensors back into <paramref name="parameters"/> (same order) and marks them changed.</summary>
    public void CopyTo(IReadOnlyList<Parameter> parameters)
    {
        for (int i = 0; i < Weights.Length; i++)
        {
            using var cpu = Weights[i].detach().cpu();
            cpu.data<float>().CopyTo(parameters[i].Value);
            parameters[i].MarkChanged();
        }
    }

    /// <summary>Copies <paramref name="parameters"/> into the tensors.</summary>
    public void CopyFrom(IReadOnlyList<Parameter> parameters)
    {
        using var _ = torch.no_grad();
        for (int i = 0; i < Weights.Length; i++)
        {
            using var host = torch.tensor(parameters[i].Value, Weights[i].shape);
            Weights[i].copy_(host);
        }
    }

    public void Dispose() { foreach (var t in Weights) t.Dispose(); }
}
