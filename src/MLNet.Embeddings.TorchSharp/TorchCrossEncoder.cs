using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Training;
using TorchSharp;

namespace MLNet.Embeddings.TorchSharp;

/// <summary>
/// A reranker on libtorch (CPU or CUDA): the managed <see cref="CrossEncoder"/>'s folder, tokenizer and settings, with the
/// BERT-family backbone and the classification head (pooler + classifier, the same Hugging Face weight names) copied to
/// the device. Pairs are tokenized, truncated and batched as <see cref="CrossEncoder"/> does (<see cref="CrossEncoderScoring"/>),
/// so <see cref="Predict"/> and <see cref="Rank"/> return the same scores. Inference only.
/// </summary>
/// <example>
/// <code>
/// using var reranker = TorchCrossEncoder.Load("models/my-reranker", device: "cuda");
/// var hits = reranker.Rank("what is the capital of France?", documents, topK: 3);
/// </code>
/// </example>
public sealed class TorchCrossEncoder : ICrossEncoder, IDisposable
{
    readonly CrossEncoder _host;
    readonly TorchBertModel _backbone;
    readonly TorchClassificationHead _head;
    readonly object _gate = new();

    /// <summary>Copies <paramref name="host"/>'s backbone and head weights to <paramref name="device"/> (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>).</summary>
    /// <exception cref="LibTorchLoadException">libtorch cannot be loaded.</exception>
    /// <exception cref="ConfigurationException">The device is malformed or CUDA is not available (no CPU fallback), or the precision needs CUDA.</exception>
    public TorchCrossEncoder(CrossEncoder host, string device = "cpu", TrainingPrecision precision = TrainingPrecision.Float32)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
        var d = TorchDevices.Resolve(device);
        _backbone = new TorchBertModel(host.Backbone.Config, host.Backbone.Parameters, d, TorchDevices.LowPrecision(precision, d), requiresGrad: false);
        try { _head = new TorchClassificationHead(host.Head, d); }
        catch { _backbone.Dispose(); throw; }
        Device = d.ToString();
    }

    /// <summary>Loads a sequence-classification folder (as <see cref="CrossEncoder.Load"/>) and runs it on libtorch at <paramref name="device"/>.</summary>
    /// <exception cref="ModelFormatException">A file is missing or malformed, or the weights hold no classification head.</exception>
    /// <exception cref="ConfigurationException">The device cannot be used.</exception>
    /// <exception cref="LibTorchLoadException">libtorch cannot be loaded.</exception>
    public static TorchCrossEncoder Load(string folder, string device = "cpu", TrainingPrecision precision = TrainingPrecision.Float32)
        => new(CrossEncoder.Load(folder), device, precision);

    /// <summary>Where the weights live (<c>cpu</c>, <c>cuda:0</c> …).</summary>
    public string Device { get; }
    /// <summary>The managed model whose folder, tokenizer and settings this one uses.</summary>
    public CrossEncoder Host => _host;
    /// <inheritdoc/>
    public IReadOnlyList<string> Labels => _host.Labels;
    /// <inheritdoc/>
    public int NumLabels => _host.NumLabels;
    /// <inheritdoc/>
    public CrossEncoderActivation Activation => _host.Activation;
    /// <inheritdoc/>
    public int MaxLength => _host.MaxLength;

    /// <summary>Logits [Count × NumLabels] of a packed batch of pair tokens.</summary>
    public float[] Logits(TokenBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        if (batch.Count == 0) return [];
        if (batch.MaxLength > _host.Backbone.MaxPositions)
            throw new ArgumentException($"A sequence has {batch.MaxLength} tokens; the model accepts at most {_host.Backbone.MaxPositions} (max_position_embeddings).", nameof(batch));
        lock (_gate)
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            var hidden = _backbone.Forward(batch, false, 0, 0);
            using var cpu = _head.Forward(hidden, batch.Starts.AsSpan(0, batch.Count)).cpu();
            return cpu.data<float>().ToArray();
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ConfigurationException">An option is out of range.</exception>
    public float[][] PredictLogits(IReadOnlyList<(string Query, string Document)> pairs, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => CrossEncoderScoring.PredictLogits(_host.Pairs, MaxLength, _host.Backbone.MaxPositions, NumLabels, Logits, pairs, options, cancellationToken);

    /// <inheritdoc/>
    public float[][] PredictAll(IReadOnlyList<(string Query, string Document)> pairs, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => CrossEncoderScoring.PredictAll(this, pairs, options, cancellationToken);

    /// <inheritdoc/>
    public float[] Predict(IReadOnlyList<(string Query, string Document)> pairs, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => CrossEncoderScoring.Predict(this, pairs, options, cancellationToken);

    /// <inheritdoc/>
    public IReadOnlyList<RankedDocument> Rank(string query, IReadOnlyList<string> documents, int? topK = null, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => CrossEncoderScoring.Rank(this, query, documents, topK, options, cancellationToken);

    /// <summary>Frees the device tensors.</summary>
    public void Dispose()
    {
        _backbone.Dispose();
        _head.Dispose();
    }
}
