using System.Numerics.Tensors;
using MLNet.Embeddings.Backbones.Rope;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Backbones.Gemma3;

/// <summary>
/// Gemma 3 text model as EmbeddingGemma runs it, on managed kernels: token embeddings scaled by √hidden, layers with
/// RMSNorm (1 + w) before and after both the attention and the feed-forward block, attention with q/k RMSNorm,
/// rotary positions (<c>rope_theta</c> in full layers, <c>rope_local_base_freq</c> in sliding layers) and grouped-query
/// heads, bidirectional (or causal) full and sliding-window masks, GeGLU with tanh GELU, and a final norm. Packed
/// batches, no compute on padding. Weights are named as in the Hugging Face checkpoint (<c>embed_tokens.weight</c>,
/// <c>layers.N.self_attn.q_proj.weight</c>, … with or without <c>model.</c>). Forward and backward side by side.
/// </summary>
public sealed class Gemma3Backbone : ITrainableBackbone
{
    readonly Parameter _embed, _norm;
    readonly Layer[] _layers;
    readonly List<Parameter> _parameters = new();
    readonly RotaryTables _rotary;

    sealed class Layer
    {
        public required Parameter InNorm, Wq, Wk, Wv, Wo, QNorm, KNorm, PostAttnNorm, PreFfNorm, PostFfNorm, Wg, Wu, Wd;
        public required AttentionMask Mask;
        public required double Theta;
    }

    /// <summary>The model's configuration.</summary>
    public Gemma3Config Config { get; }
    /// <inheritdoc />
    public string ModelType => "gemma3_text";
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
    public Gemma3Backbone(Gemma3Config config, IReadOnlyDictionary<string, Parameter> tensors, string source = "model.safetensors")
    {
        Config = config;
        _rotary = new RotaryTables(config.HeadDim, config.MaxPositionEmbeddings);
        int h = config.HiddenSize, inter = config.IntermediateSize, d = config.HeadDim;
        int qd = config.NumAttentionHeads * d, kd = config.NumKeyValueHeads * d;
        var weights = WeightReader.Prefixed(tensors, source, _parameters, "embed_tokens.weight", "model.");
        Parameter Get(string name, params int[] shape) => weights.Get(name, shape);
        _embed = Get("embed_tokens.weight", config.VocabSize, h);
        _embed.TouchedRows = new HashSet<int>();
        _layers = new Layer[config.NumHiddenLayers];
        for (int l = 0; l < _layers.Length; l++)
        {
            string p = $"layers.{l}.";
            _layers[l] = new Layer
            {
                InNorm = Get(p + "input_layernorm.weight", h),
                Wq = Get(p + "self_attn.q_proj.weight", qd, h), Wk = Get(p + "self_attn.k_proj.weight", kd, h),
                Wv = Get(p + "self_attn.v_proj.weight", kd, h), Wo = Get(p + "self_attn.o_proj.weight", h, qd),
                QNorm = Get(p + "self_attn.q_norm.weight", d), KNorm = Get(p + "self_attn.k_norm.weight", d),
                PostAttnNorm = Get(p + "post_attention_layernorm.weight", h),
                PreFfNorm = Get(p + "pre_feedforward_layernorm.weight", h),
                PostFfNorm = Get(p + "post_feedforward_layernorm.weight", h),
                Wg = Get(p + "mlp.gate_proj.weight", inter, h), Wu = Get(p + "mlp.up_proj.weight", inter, h), Wd = Get(p + "mlp.down_proj.weight", h, inter),
                Mask = config.Mask(l), Theta = config.Theta(l),
            };
        }
        _norm = Get("norm.weight", h);
    }

    /// <summary>Loads <c>config.json</c> and <c>model.safetensors</c> from a Hugging Face model folder.</summary>
    /// <exception cref="ModelFormatException">A file is missing or malformed; the message names the file and the field or tensor.</exception>
    public static Gemma3Backbone Load(string folder)
    {
        var config = Gemma3Config.Load(Path.Combine(folder, "config.json"));
        string weights = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(weights)) throw new ModelFormatException(weights, "model.safetensors not found.");
        return new Gemma3Backbone(config, SafeTensors.Read(weights), weights);
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

    sealed class Cache
    {
        public required float[] H1, Rstd1, Q, K, V, Qr, Kr, RstdQ, RstdK, Probs, Ctx, O, RstdO, X2, H2, Rstd2, G, U, A, M, RstdM, Out;

        public static Cache Create(int T, Gemma3Config c, long probs)
        {
            int H = c.HiddenSize, I = c.IntermediateSize, qd = c.NumAttentionHeads * c.HeadDim, kd = c.NumKeyValueHeads * c.HeadDim;
            return new Cache
            {
                H1 = new float[T * H], Rstd1 = new float[T], Q = new float[T * qd], K = new float[T * kd], V = new float[T * kd],
                Qr = new float[T * qd], Kr = new float[T * kd], RstdQ = new float[T * c.NumAttentionHeads], RstdK = new float[T * c.NumKeyValueHeads],
                Probs = new float[probs], Ctx = new float[T * qd], O = new float[T * H], RstdO = new float[T], X2 = new float[T * H],
                H2 = new float[T * H], Rstd2 = new float[T], G = new float[T * I], U = new float[T * I], A = new float[T * I],
                M = new float[T * H], RstdM = new float[T], Out = new float[T * H],
            };
        }
    }

    sealed class Gemma3Activations : BackboneActivations
    {
        public required Gemma3Backbone Owner;
        public required float[] X0, RstdF;
        public required Cache[] Layers;
        public required long[] ProbOffsets;
    }

    float EmbedScale => MathF.Sqrt(HiddenSize);

    /// <inheritdoc />
    public float[] Forward(TokenBatch batch, CancellationToken cancellationToken = default)
    {
        Validate(batch);
        return Run(batch, cancellationToken).Output;
    }

    /// <inheritdoc />
    public BackboneActivations ForwardTrain(TokenBatch batch, ulong dropoutSeed)
    {
        if (HiddenDropout != 0 || AttentionDropout != 0)
            throw new NotSupportedException($"The Gemma 3 backbone trains without dropout (hidden {HiddenDropout}, attention {AttentionDropout} requested); set both to 0.");
        Validate(batch);
        return Run(batch, default);
    }

    Gemma3Activations Run(TokenBatch batch, CancellationToken cancellationToken)
    {
        int T = batch.TotalTokens, H = HiddenSize, I = Config.IntermediateSize, d = Config.HeadDim;
        int nh = Config.NumAttentionHeads, nkv = Config.NumKeyValueHeads, qd = nh * d, kd = nkv * d;
        float eps = Config.RmsNormEps, scale = (float)(1.0 / Math.Sqrt(Config.QueryPreAttnScalar));
        var offsets = RopeAttention.ProbOffsets(batch, nh);
        if (offsets[^1] > Array.MaxLength) throw new ArgumentException("Batch too large for attention buffers; split it.", nameof(batch));
        var x0 = new float[T * H];
        for (int t = 0; t < T; t++) TensorPrimitives.Multiply(_embed.Value.AsSpan(batch.Ids[t] * H, H), EmbedScale, x0.AsSpan(t * H, H));
        var caches = new Cache[_layers.Length];
        var x = x0;
        for (int l = 0; l < _layers.Length; l++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var layer = _layers[l];
            var c = caches[l] = Cache.Create(T, Config, offsets[^1]);
            // x₂ = x + norm(Wo·attn(rope(qnorm(Wq·n₁)), rope(knorm(Wk·n₁)), Wv·n₁)), n₁ = norm(x)
            RmsNorm.Forward(x, layer.InNorm.Value, c.H1, c.Rstd1, T, H, eps, 1f);
            Linear.Forward(c.H1, layer.Wq.Value, default, c.Q, T, H, qd);
            Linear.Forward(c.H1, layer.Wk.Value, default, c.K, T, H, kd);
            Linear.Forward(c.H1, layer.Wv.Value, default, c.V, T, H, kd);
            RmsNorm.Forward(c.Q, layer.QNorm.Value, c.Qr, c.RstdQ, T * nh, d, eps, 1f);
            RmsNorm.Forward(c.K, layer.KNorm.Value, c.Kr, c.RstdK, T * nkv, d, eps, 1f);
            var rotary = RotaryFor(layer.Theta, Math.Max(1, batch.MaxLength));
            for (int s = 0; s < batch.Count; s++)
                for (int t = batch.Starts[s], p = 0; t < batch.Starts[s + 1]; t++, p++)
                {
                    rotary.Forward(c.Qr.AsSpan(t * qd, qd), nh, p);
                    rotary.Forward(c.Kr.AsSpan(t * kd, kd), nkv, p);
                }
            RopeAttention.Forward(batch, nh, nkv, d, scale, layer.Mask, c.Qr, c.Kr, c.V, c.Ctx, c.Probs, offsets);
            Linear.Forward(c.Ctx, layer.Wo.Value, default, c.O, T, qd, H);
            RmsNorm.Forward(c.O, layer.PostAttnNorm.Value, c.X2, c.RstdO, T, H, eps, 1f);
            TensorPrimitives.Add(c.X2.AsSpan(0, T * H), x.AsSpan(0, T * H), c.X2.AsSpan(0, T * H));
            // y = x₂ + norm(Wd·(gelu(Wg·n₂) ⊙ Wu·n₂)), n₂ = norm(x₂)
            RmsNorm.Forward(c.X2, layer.PreFfNorm.Value, c.H2, c.Rstd2, T, H, eps, 1f);
            Linear.Forward(c.H2, layer.Wg.Value, default, c.G, T, H, I);
            Linear.Forward(c.H2, layer.Wu.Value, default, c.U, T, H, I);
            GeGlu.Forward(Config.HiddenActivation, c.G.AsSpan(0, T * I), c.U.AsSpan(0, T * I), c.A.AsSpan(0, T * I));
            Linear.Forward(c.A, layer.Wd.Value, default, c.M, T, I, H);
            RmsNorm.Forward(c.M, layer.PostFfNorm.Value, c.Out, c.RstdM, T, H, eps, 1f);
            TensorPrimitives.Add(c.Out.AsSpan(0, T * H), c.X2.AsSpan(0, T * H), c.Out.AsSpan(0, T * H));
            x = c.Out;
        }
        var rstdF = new float[T];
        var output = new float[T * H];
        RmsNorm.Forward(x, _norm.Value, output, rstdF, T, H, eps, 1f);
        return new Gemma3Activations { Batch = batch, Output = output, Owner = this, X0 = x0, RstdF = rstdF, Layers = caches, ProbOffsets = offsets };
    }

    /// <inheritdoc />
    public void Backward(BackboneActivations activations, ReadOnlySpan<float> outputGradient)
    {
        if (activations is not Gemma3Activations a || a.Owner != this)
            throw new ArgumentException("Activations come from another backbone's ForwardTrain.", nameof(activations));
        var batch = a.Batch;
        int T = batch.TotalTokens, H = HiddenSize, I = Config.IntermediateSize, d = Config.HeadDim;
        int nh = Config.NumAttentionHeads, nkv = Config.NumKeyValueHeads, qd = nh * d, kd = nkv * d;
        if (outputGradient.Length != T * H)
            throw new ArgumentException($"Output gradient has {outputGradient.Length} values, expected {T}×{H}.", nameof(outputGradient));
        if (T == 0) return;
        float scale = (float)(1.0 / Math.Sqrt(Config.QueryPreAttnScalar));
        var g = new float[T * H]; var dX2 = new float[T * H]; var dM = new float[T * H]; var dH = new float[T * H];
        var dA = new float[T * I]; var dG = new float[T * I]; var dU = new float[T * I];
        var dCtx = new float[T * qd]; var dQ = new float[T * qd]; var dQn = new float[T * qd];
        var dK = new float[T * kd]; var dKn = new float[T * kd]; var dV = new float[T * kd];
        var xLast = a.Layers.Length == 0 ? a.X0 : a.Layers[^1].Out;
        RmsNorm.Backward(outputGradient, xLast, a.RstdF, _norm.Value, g, _norm.Grad, T, H, 1f);
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            var layer = _layers[l]; var c = a.Layers[l];
            var x = l == 0 ? a.X0 : a.Layers[l - 1].Out;
            RmsNorm.Backward(g, c.M, c.RstdM, layer.PostFfNorm.Value, dM, layer.PostFfNorm.Grad, T, H, 1f);
            Linear.Backward(dM, c.A, layer.Wd.Value, dA, layer.Wd.Grad, default, T, I, H);
            GeGlu.Backward(Config.HiddenActivation, c.G.AsSpan(0, T * I), c.U.AsSpan(0, T * I), dA, dG, dU);
            Linear.Backward(dG, c.H2, layer.Wg.Value, dH, layer.Wg.Grad, default, T, H, I);
            Linear.Backward(dU, c.H2, layer.Wu.Value, dH, layer.Wu.Grad, default, T, H, I, accumulateDx: true);
            g.AsSpan().CopyTo(dX2);
            RmsNorm.Backward(dH, c.X2, c.Rstd2, layer.PreFfNorm.Value, dX2, layer.PreFfNorm.Grad, T, H, 1f, accumulate: true);
            RmsNorm.Backward(dX2, c.O, c.RstdO, layer.PostAttnNorm.Value, dM, layer.PostAttnNorm.Grad, T, H, 1f);
            Linear.Backward(dM, c.Ctx, layer.Wo.Value, dCtx, layer.Wo.Grad, default, T, qd, H);
            RopeAttention.Backward(batch, nh, nkv, d, scale, layer.Mask, c.Qr, c.Kr, c.V, c.Probs, a.ProbOffsets, dCtx, dQn, dKn, dV);
            var rotary = RotaryFor(layer.Theta, Math.Max(1, batch.MaxLength));
            for (int s = 0; s < batch.Count; s++)
                for (int t = batch.Starts[s], p = 0; t < batch.Starts[s + 1]; t++, p++)
                {
                    rotary.Backward(dQn.AsSpan(t * qd, qd), nh, p);
                    rotary.Backward(dKn.AsSpan(t * kd, kd), nkv, p);
                }
            RmsNorm.Backward(dQn, c.Q, c.RstdQ, layer.QNorm.Value, dQ, layer.QNorm.Grad, T * nh, d, 1f);
            RmsNorm.Backward(dKn, c.K, c.RstdK, layer.KNorm.Value, dK, layer.KNorm.Grad, T * nkv, d, 1f);
            Linear.Backward(dQ, c.H1, layer.Wq.Value, dH, layer.Wq.Grad, default, T, H, qd);
            Linear.Backward(dK, c.H1, layer.Wk.Value, dH, layer.Wk.Grad, default, T, H, kd, accumulateDx: true);
            Linear.Backward(dV, c.H1, layer.Wv.Value, dH, layer.Wv.Grad, default, T, H, kd, accumulateDx: true);
            dX2.AsSpan().CopyTo(g);
            RmsNorm.Backward(dH, x, c.Rstd1, layer.InNorm.Value, g, layer.InNorm.Grad, T, H, 1f, accumulate: true);
        }
        float es = EmbedScale;
        for (int t = 0; t < T; t++)
        {
            int id = batch.Ids[t];
            var row = _embed.Grad.AsSpan(id * H, H);
            TensorPrimitives.MultiplyAdd(g.AsSpan(t * H, H), es, row, row);
            _embed.TouchedRows?.Add(id);
        }
    }
}
