using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training;

/// <summary>The managed engine: the model's own <see cref="ITrainableBackbone"/>, <see cref="GradientClipping"/> and <see cref="AdamW"/>, all on the host arrays.</summary>
internal sealed class ManagedTrainingEngine : ITrainingEngine
{
    readonly ITrainableBackbone _backbone;

    ManagedTrainingEngine(ITrainableBackbone backbone, TrainerOptions o)
    {
        _backbone = backbone;
        Optimizer = new AdamW(backbone.Parameters, o.WeightDecay, epsilon: o.AdamEpsilon, lazySparseRows: o.SparseUpdates ?? backbone.ModelType == "static");
    }

    /// <summary>The built-in factory.</summary>
    public static ITrainingEngineFactory Factory { get; } = new ManagedFactory();

    public string Device => "cpu";
    public IReadOnlyList<Parameter> Parameters => _backbone.Parameters;
    public AdamW Optimizer { get; }

    public BackboneActivations Forward(TokenBatch batch, ulong dropoutSeed, bool keepGraph) => _backbone.ForwardTrain(batch, dropoutSeed);
    public void Backward(BackboneActivations activations, ReadOnlySpan<float> outputGradient) => _backbone.Backward(activations, outputGradient);
    public void Release(BackboneActivations activations) { if (activations is IDisposable d) d.Dispose(); }
    public void ZeroGrad() { foreach (var p in _backbone.Parameters) p.ZeroGrad(); }
    public double ClipGradNorm(double maxNorm) => GradientClipping.ClipByGlobalNorm(_backbone.Parameters, maxNorm);
    public void Step(float lr) => Optimizer.Update(lr);
    public void SyncToHost(bool optimizer) { }
    public void SyncFromHost(bool optimizer) { }
    public void Dispose() { }

    sealed class ManagedFactory : ITrainingEngineFactory
    {
        public TrainingBackend Backend => TrainingBackend.Managed;

        public ITrainingEngine Create(SentenceEncoder model, TrainerOptions options)
        {
            if (options.Device is { } d && !d.Equals("cpu", StringComparison.OrdinalIgnoreCase))
                throw new ConfigurationException("Device", $"the managed backend runs on the CPU only; found '{d}'. Set Backend = TrainingBackend.TorchSharp for CUDA.");
            if (options.Precision != TrainingPrecision.Float32)
                throw new ConfigurationException("Precision", $"the managed backend trains in Float32 only; found {options.Precision}.");
            var backbone = model.Backbone as ITrainableBackbone
                ?? throw new ConfigurationException("model", $"backbone '{model.Backbone.ModelType}' cannot be trained (it has no backward pass).");
            return new ManagedTrainingEngine(backbone, options);
        }
    }
}
