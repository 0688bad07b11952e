using MLNet.Embeddings.Heads;
using MLNet.Embeddings.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MLNet.Embeddings.TorchSharp;

/// <summary>
/// <see cref="SequenceClassificationHead"/> in libtorch ops, one tensor per Hugging Face weight (BERT's
/// <c>bert.pooler.dense.*</c> + <c>classifier.*</c>, or RoBERTa's <c>classifier.dense.*</c> + <c>classifier.out_proj.*</c>):
/// each sequence's first token → dense + tanh → linear to the logits (inference: dropout off).
/// </summary>
internal sealed class TorchClassificationHead : IDisposable
{
    readonly Dictionary<string, Tensor> _byName = new(StringComparer.Ordinal);
    readonly (string DenseWeight, string DenseBias, string OutWeight, string OutBias) _names;

    public TorchClassificationHead(SequenceClassificationHead head, Device device)
    {
        _names = SequenceClassificationHead.Names(head.Style);
        foreach (Parameter p in head.Parameters)
        {
            using var host = torch.tensor(p.Value, p.Shape.Select(d => (long)d).ToArray());
            _byName[p.Name] = host.to(device).detach();
        }
        Device = device;
    }

    public Device Device { get; }

    /// <summary>Logits [Count × NumLabels] from packed token vectors [TotalTokens × hidden]; row <c>starts[i]</c> is sequence i's first token.</summary>
    public Tensor Forward(Tensor packedHidden, ReadOnlySpan<int> starts)
    {
        var first = packedHidden.index_select(0, torch.tensor(starts.ToArray().Select(s => (long)s).ToArray(), device: Device));
        var pooled = torch.tanh(F.linear(first, _byName[_names.DenseWeight], _byName[_names.DenseBias]));
        return F.linear(pooled, _byName[_names.OutWeight], _byName[_names.OutBias]);
    }

    public void Dispose() { foreach (var t in _byName.Values) t.Dispose(); }
}
