using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Training;
using TorchSharp;

namespace MLNet.Embeddings.TorchSharp;

/// <summary>
/// Inference on libtorch (CPU or CUDA) for a BERT-family model: the same Hugging Face folder and weight names as the
/// managed <see cref="BertBackbone"/>, whose weights it copies to the device. Returns token embeddings in the packed
/// layout, so pooling, normalisation and everything above it are the library's own.
/// </summary>
public sealed class TorchBertBackbone : IBackbone, IDisposable
{
    readonly BertBackbone _host;
    readonly TorchBertModel _model;
    readonly object _gate = new();

    /// <summary>Copies <paramref name="host"/>'s weights to <paramref name="device"/> (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>).</summary>
    /// <exception cref="LibTorchLoadException">libtorch cannot be loaded.</exception>
    /// <exception cref="ConfigurationException">The device is malformed or CUDA is not available (no CPU fallback), or the precision needs CUDA.</exception>
    public TorchBertBackbone(BertBackbone host, string device = "cpu", TrainingPrecision precision = TrainingPrecision.Float32)
    {
        _host = host;
        var d = TorchDevices.Resolve(device);
        _model = new TorchBertModel(host.Config, host.Parameters, d, TorchDevices.LowPrecision(precision, d), requiresGrad: false);
        Device = d.ToString();
    }

    /// <summary>Where the weights live (<c>cpu</c>, <c>cuda:0</c> …).</summary>
    public string Device { get; }
    /// <inheritdoc />
    public string ModelType => _host.ModelType;
    /// <inheritdoc />
    public int HiddenSize => _host.HiddenSize;
    /// <inheritdoc />
    public int MaxPositions => _host.MaxPositions;

    /// <inheritdoc />
    public float[] Forward(TokenBatch batch, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (batch.MaxLength > MaxPositions)
            throw new ArgumentException($"A sequence has {batch.MaxLength} tokens; the model accepts at most {MaxPositions} (max_position_embeddings).", nameof(batch));
        lock (_gate)
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            using var cpu = _model.Forward(batch, false, 0, 0).cpu();
            return cpu.data<float>().ToArray();
        }
    }

    /// <inheritdoc />
    public void Save(string folder)
    {
        lock (_gate) _model.CopyTo(_host.Parameters);
        _host.Save(folder);
    }

    /// <summary>Frees the device tensors.</summary>
    public void Dispose() => _model.Dispose();
}
