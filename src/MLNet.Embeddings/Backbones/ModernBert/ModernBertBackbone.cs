using System.Numerics.Tensors;
using MLNet.Embeddings.Backbones.Rope;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Backbones.ModernBert;

/// <summary>
/// ModernBERT encoder on managed kernels: token embeddings and LayerNorm, pre-norm layers (fused <c>Wqkv</c>, rotary
/// positions with a global and a local base, bidirectional attention every <c>global_attn_every_n_layers</c> layers and
/// sliding-window attention between, GeGLU feed-forward through the fused <c>Wi</c>), LayerNorms without bias and a
/// final norm. The batch is packed and windows are masks inside each sequence. Weights are named as in the Hugging
/// Face checkpoint (<c>embeddings.tok_embeddings.weight</c>, <c>layers.N.attn.Wqkv.weight</c>, <c>final_norm.weight</c>,
/// with or without <c>model.</c>); masked-LM heads are ignored. Forward and backward of each layer sit side by side.
/// </summary>
public sealed class ModernBertBackbone : ITrainableBackbone
{
    readonly Parameter _embed, _embNorm, _finalNorm;
    readonly Parameter? _embNormB, _finalNormB;
    readonly Layer[] _layers;
    readonly List<Parameter> _parameters = new();
    readonly RotaryTables _rotary;
    readonly float[] _zeros;

    sealed class Layer
    {
        public Parameter? AttnNorm, AttnNormB, MlpNormB, Bqkv, Bo, Bi, Bmo;
        public required Parameter Wqkv, Wo, MlpNorm, Wi, Wmo;
        public required AttentionMask Mask;
        public required double Theta;
    }

    /// <summary>The model's configuration.</summary>
    public ModernBertConfig Config { get; }
    /// <inheritdoc />
    public string ModelType => "modernbert";
    /// <inheritdoc />
    public int HiddenSize => Config.HiddenSize;
    /// <inheritdoc />
    public int MaxPositions => Config.MaxPositionEmbeddings;
    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _parameters;
    /// <summary>Dropout is not applied by this backbone; <see cref="ForwardTrain"/> accepts only 0.</summary>
    public float HiddenDropout { get; set; }
    /// <summary>Dropout is not applied by this backbone; <see cref="ForwardTrain"/> accepts only 0.</summary>
    public float AttentionDropout { get; set; }

    /// <summary>Builds the model from <paramref name="config"/> and tensors named as in a Hugging Face checkpoint (arrays used, not copied).</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="tensors">The weights by name (with or without a <c>model.</c> prefix).</param>
    /// <param name="source">The file the tensors came from, for error messages.</param>
    /// <exception cref="ModelFormatException">A tensor is missing or has the wrong shape (the message names the file and tensor).</exception>
    public ModernBertBackbone(ModernBertConfig config, IReadOnlyDictionary<string, Parameter> tensors, string source = "model.safetensors")
    {
        Config = config;
        _rotary = new RotaryTables(config.HeadDim, config.MaxPositionEmbeddings);
        int h = config.HiddenSize, inter = config.IntermediateSize;
        _zeros = new float[Math.Max(h, 1)];
        var weights = WeightReader.Prefixed(tensors, source, _parameters, "embeddings.tok_embeddings.weight", "model.");
        Parameter Get(string name, params int[] shape) => weights.Get(name, shape);
        Parameter? Opt(bool present, string name, int n) => weights.Optional(present, name, n);
        _embed = Get("embeddings.tok_embeddings.weight", config.VocabSize, h);
        _embed.TouchedRows = new HashSet<int>();
        _embNorm = Get("embeddings.norm.weight", h);
        _embNormB = Opt(config.NormBias, "embeddings.norm.bias", h);
        _layers = new Layer[config.NumHiddenLayers];
        for (int l = 0; l < _layers.Length; l++)
        {
            string p = $"layers.{l}.";
            _layers[l] = new Layer
            {
                AttnNorm = l == 0 ? null : Get(p + "attn_norm.weight", h),
                AttnNormB = l == 0 ? null : Opt(config.NormBias, p + "attn_norm.bias", h),
                Wqkv = Get(p + "attn.Wqkv.weight", 3 * h, h), Bqkv = Opt(config.AttentionBias, p + "attn.Wqkv.bias", 3 * h),
                Wo = Get(p + "attn.Wo.weight", h, h), Bo = Opt(config.AttentionBias, p + "attn.Wo.bias", h),
                MlpNorm = Get(p + "mlp_norm.weight", h), MlpNormB = Opt(config.NormBias, p + "mlp_norm.bias", h),
                Wi = Get(p + "mlp.Wi.weight", 2 * inter, h), Bi = Opt(config.MlpBias, p + "mlp.Wi.bias", 2 * inter),
                Wmo = Get(p + "mlp.Wo.weight", h, inter), Bmo = Opt(config.MlpBias, p + "mlp.Wo.bias", h),
                Mask = config.Mask(l), Theta = config.RopeTheta(l),
            };
        }
        _finalNorm = Get("final_norm.weight", h);
        _finalNormB = Opt(config.NormBias, "final_norm.bias", h);
    }

    /// <summary>Loads <c>config.json</c> and <c>model.safetensors</c> from a Hugging Face model folder.</summary>
    /// <exception cref="ModelFormatException">A file is missing or malformed; the message names the file and the field or tensor.</exception>
    public static ModernBertBackbone Load(string folder)
    {
        var config = ModernBertConfig.Load(Path.Combine(folder, "config.json"));
        string weights = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(weights)) throw new ModelFormatException(weights, "model.safetensors not found.");
        return new ModernBertBackbone(config, SafeTensors.Read(weights), weights);
    }

    /// <inheritdoc />
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        Config.Save(Path.Combine(folder, "config.json"));
        SafeTensors.Write(Path.Combine(folder, "model.safetensors"), _parameters, new Dictionary<string, string> { ["format"] = "pt" });
    }

    Rotary RotaryFor(double theta, int length) => _rotary.For(theta, length);

    void Validate(TokenBatch batch) => batch.CheckFits(MaxPositions, Config.VocabSize);

    /// <summary>What one layer keeps for its backward pass.</summary>
    sealed class Cache
    {
        public required float[] H1, Mean1, Rstd1, Q, K, V, Probs, Ctx, X2, Mean2, Rstd2, H2, Wi, A, Out;

        public static Cache Create(int T, ModernBertConfig c, long probs) => new()
        {
            H1 = new float[T * c.HiddenSize], Mean1 = new float[T], Rstd1 = new float[T],
            Q = new float[T * c.HiddenSize], K = new float[T * c.HiddenSize], V = new float[T * c.HiddenSize], Probs = new float[probs],
            Ctx = new float[T * c.HiddenSize], X2 = new float[T * c.HiddenSize], Mean2 = new float[T], Rstd2 = new float[T],
            H2 = new float[T * c.HiddenSize], Wi = new float[T * 2 * c.IntermediateSize], A = new float[T * c.IntermediateSize], Out = new float[T * c.HiddenSize],
        };
    }

    sealed class ModernBertActivations : BackboneActivations
    {
        public required ModernBertBackbone Owner;
        public required float[] Embedded, EmbMean, EmbRstd, X0, FinalMean, FinalRstd;
        public required Cache[] Layers;
        public required long[] ProbOffsets;
    }

    /// <inheritdoc />
    public float[] Forward(TokenBatch batch, CancellationToken cancellationToken = default)
    {
        Validate(batch);
        var a = Run(batch, cancellationToken);
        return a.Output;
    }

    /// <inheritdoc />
    public BackboneActivations ForwardTrain(TokenBatch batch, ulong dropoutSeed)
    {
        if (HiddenDropout != 0 || AttentionDropout != 0)
            throw new NotSupportedException($"The ModernBERT backbone trains without dropout (hidden {HiddenDropout}, attention {AttentionDropout} requested); set both to 0.");
        Validate(batch);
        return Run(batch, default);
    }

    ModernBertActivations Run(TokenBatch batch, CancellationToken cancellationToken)
    {
        int T = batch.TotalTokens, H = HiddenSize, I = Config.IntermediateSize, nh = Config.NumAttentionHeads, d = Config.HeadDim;
        float eps = Config.NormEps;
        var offsets = RopeAttention.ProbOffsets(batch, nh);
        if (offsets[^1] > Array.MaxLength) throw new ArgumentException("Batch too large for attention buffers; split it.", nameof(batch));
        var embedded = new float[T * H];
        for (int t = 0; t < T; t++) _embed.Value.AsSpan(batch.Ids[t] * H, H).CopyTo(embedded.AsSpan(t * H, H));
        var embMean = new float[T]; var embRstd = new float[T]; var x0 = new float[T * H];
        LayerNorm.Forward(embedded, _embNorm.Value, _embNormB?.Value ?? _zeros, x0, embMean, embRstd, T, H, eps);
        var caches = new Cache[_layers.Length];
        var x = x0;
        for (int l = 0; l < _layers.Length; l++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var layer = _layers[l];
            var c = caches[l] = Cache.Create(T, Config, offsets[^1]);
            // x₂ = x + Wo·attn(rope(q), rope(k), v) with [q k v] = Wqkv·norm(x) (no norm before layer 0)
            if (layer.AttnNorm is null) x.AsSpan(0, T * H).CopyTo(c.H1);
            else LayerNorm.Forward(x, layer.AttnNorm.Value, layer.AttnNormB?.Value ?? _zeros, c.H1, c.Mean1, c.Rstd1, T, H, eps);
            var qkv = c.Wi.Length >= T * 3 * H ? c.Wi : new float[T * 3 * H];
            Linear.Forward(c.H1, layer.Wqkv.Value, layer.Bqkv?.Value, qkv, T, H, 3 * H);
            var rotary = RotaryFor(layer.Theta, Math.Max(1, batch.MaxLength));
            for (int s = 0; s < batch.Count; s++)
                for (int t = batch.Starts[s], p = 0; t < batch.Starts[s + 1]; t++, p++)
                {
                    qkv.AsSpan(t * 3 * H, H).CopyTo(c.Q.AsSpan(t * H, H));
                    qkv.AsSpan(t * 3 * H + H, H).CopyTo(c.K.AsSpan(t * H, H));
                    qkv.AsSpan(t * 3 * H + 2 * H, H).CopyTo(c.V.AsSpan(t * H, H));
                    rotary.Forward(c.Q.AsSpan(t * H, H), nh, p);
                    rotary.Forward(c.K.AsSpan(t * H, H), nh, p);
                }
            RopeAttention.Forward(batch, nh, nh, d, 1f / MathF.Sqrt(d), layer.Mask, c.Q, c.K, c.V, c.Ctx, c.Probs, offsets);
            x.AsSpan(0, T * H).CopyTo(c.X2);
            Linear.Forward(c.Ctx, layer.Wo.Value, layer.Bo?.Value, c.X2, T, H, H, accumulate: true);
            // y = x₂ + Wo·(act(Wi₁·n₂) ⊙ Wi₂·n₂) with n₂ = norm(x₂)
            LayerNorm.Forward(c.X2, layer.MlpNorm.Value, layer.MlpNormB?.Value ?? _zeros, c.H2, c.Mean2, c.Rstd2, T, H, eps);
            Linear.Forward(c.H2, layer.Wi.Value, layer.Bi?.Value, c.Wi, T, H, 2 * I);
            for (int t = 0; t < T; t++)
                GeGlu.Forward(Config.HiddenActivation, c.Wi.AsSpan(t * 2 * I, I), c.Wi.AsSpan(t * 2 * I + I, I), c.A.AsSpan(t * I, I));
            c.X2.AsSpan(0, T * H).CopyTo(c.Out);
            Linear.Forward(c.A, layer.Wmo.Value, layer.Bmo?.Value, c.Out, T, I, H, accumulate: true);
            x = c.Out;
        }
        var fMean = new float[T]; var fRstd = new float[T]; var output = new float[T * H];
        LayerNorm.Forward(x, _finalNorm.Value, _finalNormB?.Value ?? _zeros, output, fMean, fRstd, T, H, eps);
        return new ModernBertActivations
        {
            Batch = batch, Output = output, Owner = this, Embedded = embedded, EmbMean = embMean, EmbRstd = embRstd, X0 = x0,
            FinalMean = fMean, FinalRstd = fRstd, Layers = caches, ProbOffsets = offsets,
        };
    }

    /// <inheritdoc />
    public void Backward(BackboneActivations activations, ReadOnlySpan<float> outputGradient)
    {
        if (activations is not ModernBertActivations a || a.Owner != this)
            throw new ArgumentException("Activations come from another backbone's ForwardTrain.", nameof(activations));
        var batch = a.Batch;
        int T = batch.TotalTokens, H = HiddenSize, I = Config.IntermediateSize, nh = Config.NumAttentionHeads, d = Config.HeadDim;
        if (outputGradient.Length != T * H)
            throw new ArgumentException($"Output gradient has {outputGradient.Length} values, expected {T}×{H}.", nameof(outputGradient));
        if (T == 0) return;
        var scratchBias = new float[Math.Max(H, 1)];
        Span<float> DB(Parameter? b) => b is null ? scratchBias : b.Grad;
        var g = new float[T * H]; var dX2 = new float[T * H]; var dH = new float[T * H]; var dTmp = new float[T * H];
        var dA = new float[T * I]; var dWi = new float[T * 2 * I];
        var dCtx = new float[T * H]; var dQ = new float[T * H]; var dK = new float[T * H]; var dV = new float[T * H]; var dQkv = new float[T * 3 * H];
        var x = l_last(a);
        LayerNorm.Backward(outputGradient, x, a.FinalMean, a.FinalRstd, _finalNorm.Value, g, _finalNorm.Grad, DB(_finalNormB), T, H);
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            var layer = _layers[l]; var c = a.Layers[l];
            var input = l == 0 ? a.X0 : a.Layers[l - 1].Out;
            Linear.Backward(g, c.A, layer.Wmo.Value, dA, layer.Wmo.Grad, layer.Bmo is null ? default : layer.Bmo.Grad, T, I, H);
            for (int t = 0; t < T; t++)
                GeGlu.Backward(Config.HiddenActivation, c.Wi.AsSpan(t * 2 * I, I), c.Wi.AsSpan(t * 2 * I + I, I), dA.AsSpan(t * I, I),
                    dWi.AsSpan(t * 2 * I, I), dWi.AsSpan(t * 2 * I + I, I));
            Linear.Backward(dWi, c.H2, layer.Wi.Value, dH, layer.Wi.Grad, layer.Bi is null ? default : layer.Bi.Grad, T, H, 2 * I);
            LayerNorm.Backward(dH, c.X2, c.Mean2, c.Rstd2, layer.MlpNorm.Value, dTmp, layer.MlpNorm.Grad, DB(layer.MlpNormB), T, H);
            TensorPrimitives.Add(g, dTmp, dX2);
            Linear.Backward(dX2, c.Ctx, layer.Wo.Value, dCtx, layer.Wo.Grad, layer.Bo is null ? default : layer.Bo.Grad, T, H, H);
            RopeAttention.Backward(batch, nh, nh, d, 1f / MathF.Sqrt(d), layer.Mask, c.Q, c.K, c.V, c.Probs, a.ProbOffsets, dCtx, dQ, dK, dV);
            var rotary = RotaryFor(layer.Theta, Math.Max(1, batch.MaxLength));
            for (int s = 0; s < batch.Count; s++)
                for (int t = batch.Starts[s], p = 0; t < batch.Starts[s + 1]; t++, p++)
                {
                    rotary.Backward(dQ.AsSpan(t * H, H), nh, p);
                    rotary.Backward(dK.AsSpan(t * H, H), nh, p);
                    dQ.AsSpan(t * H, H).CopyTo(dQkv.AsSpan(t * 3 * H, H));
                    dK.AsSpan(t * H, H).CopyTo(dQkv.AsSpan(t * 3 * H + H, H));
                    dV.AsSpan(t * H, H).CopyTo(dQkv.AsSpan(t * 3 * H + 2 * H, H));
                }
            Linear.Backward(dQkv, c.H1, layer.Wqkv.Value, dH, layer.Wqkv.Grad, layer.Bqkv is null ? default : layer.Bqkv.Grad, T, H, 3 * H);
            if (layer.AttnNorm is null) TensorPrimitives.Add(dX2, dH, g);
            else
            {
                LayerNorm.Backward(dH, input, c.Mean1, c.Rstd1, layer.AttnNorm.Value, dTmp, layer.AttnNorm.Grad, DB(layer.AttnNormB), T, H);
                TensorPrimitives.Add(dX2, dTmp, g);
            }
        }
        LayerNorm.Backward(g, a.Embedded, a.EmbMean, a.EmbRstd, _embNorm.Value, dTmp, _embNorm.Grad, DB(_embNormB), T, H);
        for (int t = 0; t < T; t++)
        {
            int id = batch.Ids[t];
            var row = _embed.Grad.AsSpan(id * H, H);
            TensorPrimitives.Add(row, dTmp.AsSpan(t * H, H), row);
            _embed.TouchedRows?.Add(id);
        }

        static float[] l_last(ModernBertActivations a) => a.Layers.Length == 0 ? a.X0 : a.Layers[^1].Out;
    }
}
