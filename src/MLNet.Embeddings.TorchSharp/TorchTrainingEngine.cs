using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Tensors;
using MLNet.Embeddings.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Embeddings.TorchSharp;

/// <summary>
/// Training on libtorch: the weights, their gradients and the AdamW moments live on the device; the trainer sees
/// token embeddings on the host and hands dLoss/dTokens back, which <c>backward(grad)</c> pushes through the graph.
/// Clipping and AdamW are written out in tensor ops with exactly the managed <see cref="AdamW"/> and
/// <see cref="GradientClipping"/> formulas (torch.optim.AdamW, clip_grad_norm_ with 1e-6).
/// </summary>
internal sealed partial class TorchTrainingEngine : ITrainingEngine
{
    readonly BertBackbone _host;
    readonly TorchBertModel _model;
    readonly Tensor[] _m, _v;
    readonly bool[] _decay;
    readonly float _weightDecay, _eps;
    const float Beta1 = 0.9f, Beta2 = 0.999f;
    readonly bool _fp16;
    double _lossScale = 65536;
    int _goodSteps;
    bool _unscaled, _skipStep;
    long _step;

    public TorchTrainingEngine(SentenceEncoder model, TrainerOptions o)
    {
        _host = model.Backbone as BertBackbone
            ?? throw new ConfigurationException("Backend", $"TorchSharp trains BERT-family models (bert, roberta, xlm-roberta); this model's backbone is '{model.Backbone.ModelType}'.");
        var device = TorchDevices.Resolve(o.Device);
        var low = TorchDevices.LowPrecision(o.Precision, device);
        _fp16 = o.Precision == TrainingPrecision.Float16;
        _model = new TorchBertModel(_host.Config, _host.Parameters, device, low, requiresGrad: true);
        _m = _model.Weights.Select(w => torch.zeros_like(w).detach()).ToArray();
        _v = _model.Weights.Select(w => torch.zeros_like(w).detach()).ToArray();
        _decay = _host.Parameters.Select(p => !p.NoWeightDecay).ToArray();
        _weightDecay = o.WeightDecay; _eps = o.AdamEpsilon;
        Optimizer = new AdamW(_host.Parameters, o.WeightDecay, Beta1, Beta2, o.AdamEpsilon, lazySparseRows: false);
        Device = device.ToString();
    }

    public string Device { get; }
    public IReadOnlyList<Parameter> Parameters => _host.Parameters;
    public AdamW Optimizer { get; }

    public BackboneActivations Forward(TokenBatch batch, ulong dropoutSeed, bool keepGraph)
    {
        double hp = _host.HiddenDropout, ap = _host.AttentionDropout;
        if (hp > 0 || ap > 0)
        {
            long seed = (long)(dropoutSeed & long.MaxValue);
            torch.random.manual_seed(seed);
            if (_model.Device.type == DeviceType.CUDA) torch.cuda.manual_seed_all(seed);
        }
        // The graph is owned by the output's autograd history, not by the managed handles: the scope frees the
        // intermediate handles now, and the output (kept for backward) frees the graph when released.
        using var scope = torch.NewDisposeScope();
        Tensor output;
        if (keepGraph) output = _model.Forward(batch, true, hp, ap);
        else using (torch.no_grad()) output = _model.Forward(batch, true, hp, ap);
        float[] host;
        using (var cpu = output.detach().cpu()) host = cpu.data<float>().ToArray();
        if (!keepGraph) return new TorchActivations { Batch = batch, Output = host };
        return new TorchActivations { Batch = batch, Output = host, Graph = output.DetachFromDisposeScope() };
    }

    public void Backward(BackboneActivations activations, ReadOnlySpan<float> outputGradient)
    {
        var a = activations as TorchActivations ?? throw new ArgumentException("activations do not come from this engine.", nameof(activations));
        if (a.Graph is null) throw new InvalidOperationException("Forward ran without keepGraph; there is no graph to back-propagate.");
        using var scope = torch.NewDisposeScope();
        var g = torch.tensor(outputGradient.ToArray(), a.Graph.shape).to(_model.Device);
        if (_fp16) g = g.mul(_lossScale);
        a.Graph.backward(new[] { g });
        _unscaled = false;
    }

    public void Release(BackboneActivations activations)
    {
        if (activations is TorchActivations { Graph: { } g } a) { g.Dispose(); a.Graph = null; }
    }

    public void ZeroGrad()
    {
        using var _ = torch.no_grad();
        foreach (var w in _model.Weights) w.grad?.zero_();
    }

    public double ClipGradNorm(double maxNorm)
    {
        Unscale();
        if (_skipStep) return double.NaN;
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var grads = _model.Weights.Select(w => w.grad).Where(g => g is not null).Select(g => g!).ToArray();
        if (grads.Length == 0) return 0;
        // Float sums per tensor added up in double, as GradientClipping does on the host.
        double sum = torch.stack(grads.Select(g => g.square().sum()).ToArray()).to(ScalarType.Float64).sum().item<double>();
        double norm = Math.Sqrt(sum), coef = maxNorm / (norm + 1e-6);
        if (coef < 1) foreach (var g in grads) g.mul_((float)coef);
        return norm;
    }

    public void Step(float lr)
    {
        Unscale();
        if (_skipStep)
        {
            // float16: an overflow in this step's gradients; skip it and lower the scale (as torch.cuda.amp.GradScaler).
            _skipStep = false; _lossScale /= 2; _goodSteps = 0;
            return;
        }
        if (_fp16 && ++_goodSteps % 2000 == 0) _lossScale *= 2;
        _step++;
        double bc1 = 1 - Math.Pow(Beta1, _step), bc2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, _step));
        float stepSize = (float)(lr / bc1), invBc2 = (float)(1 / bc2Sqrt);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        for (int i = 0; i < _model.Weights.Length; i++)
        {
            var w = _model.Weights[i];
            if (w.grad is not { } g) continue;
            if (_decay[i]) w.mul_(1f - lr * _weightDecay);
            _m[i].lerp_(g, 1 - Beta1);
            _v[i].mul_(Beta2).addcmul_(g, g, 1 - Beta2);
            var denom = _v[i].sqrt().mul_(invBc2).add_(_eps);
            w.addcdiv_(_m[i], denom, -stepSize);
        }
    }

    /// <summary>float16 only: divides the gradients by the loss scale once per step and notes an overflow.</summary>
    void Unscale()
    {
        if (!_fp16 || _unscaled) return;
        _unscaled = true;
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        bool finite = true;
        foreach (var w in _model.Weights)
            if (w.grad is { } g)
            {
                g.div_(_lossScale);
                finite &= torch.isfinite(g).all().item<bool>();
            }
        _skipStep = !finite;
    }

    public void SyncToHost(bool optimizer)
    {
        _model.CopyTo(_host.Parameters);
        if (!optimizer) return;
        for (int i = 0; i < _m.Length; i++)
        {
            using (var m = _m[i].cpu()) m.data<float>().CopyTo(Optimizer.FirstMoments[i]);
            using (var v = _v[i].cpu()) v.data<float>().CopyTo(Optimizer.SecondMoments[i]);
        }
        Optimizer.Restore(_step);
    }

    public void SyncFromHost(bool optimizer)
    {
        _model.CopyFrom(_host.Parameters);
        if (!optimizer) return;
        using var _ = torch.no_grad();
        for (int i = 0; i < _m.Length; i++)
        {
            using (var m = torch.tensor(Optimizer.FirstMoments[i], _m[i].shape)) _m[i].copy_(m);
            using (var v = torch.tensor(Optimizer.SecondMoments[i], _v[i].shape)) _v[i].copy_(v);
        }
        _step = Optimizer.Step;
    }

    public void Dispose()
    {
        _model.Dispose();
        foreach (var t in _m) t.Dispose();
        foreach (var t in _v) t.Dispose();
    }

    /// <summary>A forward pass: host token embeddings plus, with the graph kept, the device output that holds the graph.</summary>
    sealed class TorchActivations : BackboneActivations
    {
        public Tensor? Graph { get; set; }
    }
}
