using System.Numerics.Tensors;
using MLNet.Embeddings.Backbones.Rope;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Backbones.Qwen3;

/// <summary>
/// Qwen3 decoder (Qwen3-Embedding) on managed kernels: token embeddings, pre-norm layers (RMSNorm, attention with
/// per-head q/k RMSNorm, rotary positions and grouped-query heads under a causal mask, SwiGLU feed-forward) and a
/// final RMSNorm. Returns the last hidden state of every token; embedders pool the last token. The batch is packed:
/// each sequence attends only to itself and no compute is spent on padding. Weights are named as in the Hugging Face
/// checkpoint (<c>embed_tokens.weight</c>, <c>layers.N.self_attn.q_proj.weight</c>, …, with or without <c>model.</c>);
/// an <c>lm_head</c> (tied to the embeddings) is not needed and is ignored.
/// </summary>
public sealed partial class Qwen3Backbone : ITrainableBackbone
{
    readonly Parameter _embed, _norm;
    readonly Layer[] _layers;
    readonly List<Parameter> _parameters = new();
    readonly RotaryTables _rotary;
    Cache? _spare;

    sealed class Layer
    {
        public required Parameter InNorm, Wq, Wk, Wv, Wo, QNorm, KNorm, PostNorm, Wg, Wu, Wd;
        public Parameter? Bq, Bk, Bv, Bo;
        public required AttentionMask Mask;
    }

    /// <summary>The model's configuration.</summary>
    public Qwen3Config Config { get; }
    /// <inheritdoc />
    public string ModelType => "qwen3";
    /// <inheritdoc />
    public int HiddenSize => Config.HiddenSize;
    /// <inheritdoc />
    public int MaxPositions => Config.MaxPositionEmbeddings;
    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _parameters;
    /// <summary>Qwen3 has no hidden-state dropout; only 0 is accepted by <see cref="ForwardTrain"/>.</summary>
    public float HiddenDropout { get; set; }
    /// <summary>Attention dropout (config <c>attention_dropout</c>); only 0 is supported by <see cref="ForwardTrain"/>.</summary>
    public float AttentionDropout { get; set; }

    /// <summary>
    /// Builds the model from <paramref name="config"/> and tensors named as in a Hugging Face checkpoint. The tensors'
    /// arrays are used, not copied.
    /// </summary>
    /// <param name="config">The configuration.</param>
    /// <param name="tensors">The weights by name (with or without a <c>model.</c> prefix).</param>
    /// <param name="source">The file the tensors came from, for error messages.</param>
    /// <exception cref="ModelFormatException">A tensor is missing or has the wrong shape (the message names the file and tensor).</exception>
    public Qwen3Backbone(Qwen3Config config, IReadOnlyDictionary<string, Parameter> tensors, string source = "model.safetensors")
    {
        Config = config;
        _rotary = new RotaryTables(config.HeadDim, config.MaxPositionEmbeddings);
        AttentionDropout = config.AttentionDropout;
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
            var layer = new Layer
            {
                InNorm = Get(p + "input_layernorm.weight", h),
                Wq = Get(p + "self_attn.q_proj.weight", qd, h),
                Wk = Get(p + "self_attn.k_proj.weight", kd, h),
                Wv = Get(p + "self_attn.v_proj.weight", kd, h),
                Wo = Get(p + "self_attn.o_proj.weight", h, qd),
                QNorm = Get(p + "self_attn.q_norm.weight", d),
                KNorm = Get(p + "self_attn.k_norm.weight", d),
                PostNorm = Get(p + "post_attention_layernorm.weight", h),
                Wg = Get(p + "mlp.gate_proj.weight", inter, h),
                Wu = Get(p + "mlp.up_proj.weight", inter, h),
                Wd = Get(p + "mlp.down_proj.weight", h, inter),
                Mask = config.Mask(l),
            };
            if (config.AttentionBias)
            {
                layer.Bq = Get(p + "self_attn.q_proj.bias", qd); layer.Bk = Get(p + "self_attn.k_proj.bias", kd);
                layer.Bv = Get(p + "self_attn.v_proj.bias", kd); layer.Bo = Get(p + "self_attn.o_proj.bias", h);
            }
            _layers[l] = layer;
        }
        _norm = Get("norm.weight", h);
    }

    /// <summary>Loads <c>config.json</c> and <c>model.safetensors</c> from a Hugging Face model folder.</summary>
    /// <exception cref="ModelFormatException">A file is missing or malformed; the message names the file and the field or tensor.</exception>
    public static Qwen3Backbone Load(string folder)
    {
        var config = Qwen3Config.Load(Path.Combine(folder, "config.json"));
        string weights = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(weights)) throw new ModelFormatException(weights, "model.safetensors not found.");
        return new Qwen3Backbone(config, SafeTensors.Read(weights), weights);
    }

    /// <summary>
    /// A randomly initialised model as Hugging Face initialises one: weights normal(0, initializer_range), biases 0,
    /// RMSNorm weights 1. Deterministic in <paramref name="seed"/>.
    /// </summary>
    public static Qwen3Backbone Create(Qwen3Config config, int seed)
    {
        var rng = new Random(seed);
        var t = new Dictionary<string, Parameter>();
        int h = config.HiddenSize, inter = config.IntermediateSize, d = config.HeadDim;
        int qd = config.NumAttentionHeads * d, kd = config.NumKeyValueHeads * d;
        void Normal(string name, params int[] shape)
        {
            int n = 1; foreach (var x in shape) n *= x;
            var v = new float[n];
            for (int i = 0; i < n; i++)
                v[i] = (float)(Math.Sqrt(-2 * Math.Log(1.0 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()) * config.InitializerRange);
            t[name] = new Parameter(name, shape, v);
        }
        void Const(string name, int n, float value)
        {
            var v = new float[n]; Array.Fill(v, value);
            t[name] = new Parameter(name, new[] { n }, v);
        }
        Normal("embed_tokens.weight", config.VocabSize, h);
        for (int l = 0; l < config.NumHiddenLayers; l++)
        {
            string p = $"layers.{l}.";
            Const(p + "input_layernorm.weight", h, 1f);
            Normal(p + "self_attn.q_proj.weight", qd, h); Normal(p + "self_attn.k_proj.weight", kd, h);
            Normal(p + "self_attn.v_proj.weight", kd, h); Normal(p + "self_attn.o_proj.weight", h, qd);
            if (config.AttentionBias)
            {
                Const(p + "self_attn.q_proj.bias", qd, 0f); Const(p + "self_attn.k_proj.bias", kd, 0f);
                Const(p + "self_attn.v_proj.bias", kd, 0f); Const(p + "self_attn.o_proj.bias", h, 0f);
            }
            Const(p + "self_attn.q_norm.weight", d, 1f); Const(p + "self_attn.k_norm.weight", d, 1f);
            Const(p + "post_attention_layernorm.weight", h, 1f);
            Normal(p + "mlp.gate_proj.weight", inter, h); Normal(p + "mlp.up_proj.weight", inter, h); Normal(p + "mlp.down_proj.weight", h, inter);
        }
        Const("norm.weight", h, 1f);
        return new Qwen3Backbone(config, t, "(random)");
    }

    /// <inheritdoc />
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        Config.Save(Path.Combine(folder, "config.json"));
        SafeTensors.Write(Path.Combine(folder, "model.safetensors"), _parameters, new Dictionary<string, string> { ["format"] = "pt" });
    }

    void Validate(TokenBatch batch) => batch.CheckFits(MaxPositions, Config.VocabSize);

    /// <summary>The cos/sin table, grown to the longest sequence seen.</summary>
    Rotary RotaryFor(int length) => _rotary.For(Config.RopeTheta, length);

    /// <inheritdoc />
    public float[] Forward(TokenBatch batch, CancellationToken cancellationToken = default)
    {
        Validate(batch);
        int T = batch.TotalTokens;
        var output = new float[T * HiddenSize];
        if (T == 0) return output;
        // Inference: one set of buffers serves every layer, the residual stream is updated in place.
        var c = Interlocked.Exchange(ref _spare, null) ?? new Cache();
        try
        {
            c.Ensure(T, Config, RopeAttention.ProbOffsets(batch, Config.NumAttentionHeads)[^1], keepProbs: false);
            var x = c.Stream;
            Embed(batch, x);
            var rotary = RotaryFor(batch.MaxLength);
            for (int l = 0; l < _layers.Length; l++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                LayerForward(l, batch, rotary, x, c, x, null);
            }
            RmsNorm.Forward(x, _norm.Value, output, c.RstdF, T, HiddenSize, Config.RmsNormEps);
        }
        finally { _spare = c; }
        return output;
    }

    void Embed(TokenBatch batch, float[] x)
    {
        int H = HiddenSize;
        var e = _embed.Value;
        for (int t = 0; t < batch.TotalTokens; t++) e.AsSpan(batch.Ids[t] * H, H).CopyTo(x.AsSpan(t * H, H));
    }

    /// <summary>
    /// One decoder layer: <c>x₂ = x + Wo·attn(rope(qnorm(Wq·n₁)), rope(knorm(Wk·n₁)), Wv·n₁)</c> with <c>n₁ = rms(x)</c>;
    /// <c>y = x₂ + Wd·(silu(Wg·n₂) ⊙ Wu·n₂)</c> with <c>n₂ = rms(x₂)</c>. <paramref name="y"/> may be <paramref name="x"/>.
    /// </summary>
    void LayerForward(int l, TokenBatch batch, Rotary rotary, float[] x, Cache c, float[] y, long[]? probOffsets)
    {
        var layer = _layers[l];
        int T = batch.TotalTokens, H = HiddenSize, I = Config.IntermediateSize, d = Config.HeadDim;
        int nh = Config.NumAttentionHeads, nkv = Config.NumKeyValueHeads, qd = nh * d, kd = nkv * d;
        float eps = Config.RmsNormEps;
        RmsNorm.Forward(x, layer.InNorm.Value, c.H1, c.Rstd1, T, H, eps);
        Linear.Forward(c.H1, layer.Wq.Value, layer.Bq?.Value, c.Q, T, H, qd);
        Linear.Forward(c.H1, layer.Wk.Value, layer.Bk?.Value, c.K, T, H, kd);
        Linear.Forward(c.H1, layer.Wv.Value, layer.Bv?.Value, c.V, T, H, kd);
        RmsNorm.Forward(c.Q, layer.QNorm.Value, c.Qr, c.RstdQ, T * nh, d, eps);
        RmsNorm.Forward(c.K, layer.KNorm.Value, c.Kr, c.RstdK, T * nkv, d, eps);
        for (int s = 0; s < batch.Count; s++)
            for (int t = batch.Starts[s], p = 0; t < batch.Starts[s + 1]; t++, p++)
            {
                rotary.Forward(c.Qr.AsSpan(t * qd, qd), nh, p);
                rotary.Forward(c.Kr.AsSpan(t * kd, kd), nkv, p);
            }
        RopeAttention.Forward(batch, nh, nkv, d, 1f / MathF.Sqrt(d), layer.Mask, c.Qr, c.Kr, c.V, c.Ctx, probOffsets is null ? null : c.Probs, probOffsets);
        if (!ReferenceEquals(c.X2, x)) x.AsSpan(0, T * H).CopyTo(c.X2);
        Linear.Forward(c.Ctx, layer.Wo.Value, layer.Bo?.Value, c.X2, T, qd, H, accumulate: true);
        RmsNorm.Forward(c.X2, layer.PostNorm.Value, c.H2, c.Rstd2, T, H, eps);
        Linear.Forward(c.H2, layer.Wg.Value, default, c.G, T, H, I);
        Linear.Forward(c.H2, layer.Wu.Value, default, c.U, T, H, I);
        SwiGlu.Forward(c.G.AsSpan(0, T * I), c.U.AsSpan(0, T * I), c.A.AsSpan(0, T * I));
        if (!ReferenceEquals(c.X2, y)) c.X2.AsSpan(0, T * H).CopyTo(y);
        Linear.Forward(c.A, layer.Wd.Value, default, y, T, I, H, accumulate: true);
    }

    /// <summary>Buffers of one layer (training keeps one per layer; inference reuses one for all).</summary>
    sealed class Cache
    {
        public float[] Stream = [], H1 = [], Rstd1 = [], Q = [], K = [], V = [], Qr = [], Kr = [], RstdQ = [], RstdK = [], Probs = [], Ctx = [];
        public float[] X2 = [], Rstd2 = [], H2 = [], G = [], U = [], A = [], Out = [], RstdF = [];

        static float[] Grow(float[] a, long n) => a.Length >= n ? a : new float[checked((int)n)];

        public void Ensure(int T, Qwen3Config c, long probs, bool keepProbs)
        {
            int H = c.HiddenSize, I = c.IntermediateSize, qd = c.NumAttentionHeads * c.HeadDim, kd = c.NumKeyValueHeads * c.HeadDim;
            Stream = Grow(Stream, (long)T * H); H1 = Grow(H1, (long)T * H); Rstd1 = Grow(Rstd1, T);
            Q = Grow(Q, (long)T * qd); Qr = Grow(Qr, (long)T * qd); Ctx = Grow(Ctx, (long)T * qd); RstdQ = Grow(RstdQ, (long)T * c.NumAttentionHeads);
            K = Grow(K, (long)T * kd); Kr = Grow(Kr, (long)T * kd); V = Grow(V, (long)T * kd); RstdK = Grow(RstdK, (long)T * c.NumKeyValueHeads);
            H2 = Grow(H2, (long)T * H); Rstd2 = Grow(Rstd2, T); RstdF = Grow(RstdF, T);
            G = Grow(G, (long)T * I); U = Grow(U, (long)T * I); A = Grow(A, (long)T * I);
            if (keepProbs) { Probs = Grow(Probs, probs); X2 = Grow(X2, (long)T * H); Out = Grow(Out, (long)T * H); }
            else X2 = Stream;
        }
    }
}
