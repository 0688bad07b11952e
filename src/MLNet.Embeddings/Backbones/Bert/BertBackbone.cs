using System.Numerics.Tensors;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Backbones.Bert;

/// <summary>
/// BERT-family encoder on managed kernels: embeddings (word + position + token type, LayerNorm, dropout) and
/// post-LN transformer layers (self-attention within each packed sequence, feed-forward, residuals).
/// No compute is spent on padding: the batch is packed and each sequence attends only to itself.
/// </summary>
/// <remarks>
/// <see cref="Forward"/> keeps nothing between calls except reusable scratch buffers;
/// <see cref="ForwardTrain"/> keeps the activations <see cref="Backward"/> needs. Dropout masks are a hash of
/// (seed, layer, site, index), so a training step replays exactly.
/// </remarks>
public sealed partial class BertBackbone : ITrainableBackbone
{
    const string EmbPrefix = "embeddings.";
    readonly Parameter _word, _position, _tokenType, _embGamma, _embBeta;
    readonly Layer[] _layers;
    readonly List<Parameter> _parameters = new();
    Workspace? _spare;
    BackwardWorkspace? _spareBackward;

    /// <summary>The model's configuration.</summary>
    public BertConfig Config { get; }

    /// <inheritdoc />
    public string ModelType => Config.ModelType;
    /// <inheritdoc />
    public int HiddenSize => Config.HiddenSize;
    /// <inheritdoc />
    public int MaxPositions => Config.MaxPositionEmbeddings - Config.PositionOffset;
    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _parameters;
    /// <inheritdoc />
    public float HiddenDropout { get; set; }
    /// <inheritdoc />
    public float AttentionDropout { get; set; }

    /// <summary>
    /// Whether <see cref="Forward"/> keeps each layer's weights packed for the GEMM kernels between calls (default true:
    /// saves repacking them for every batch, at the cost of one extra copy of the layer weights in memory). A weight is
    /// repacked when its <see cref="Parameter.Version"/> changes; code that writes <see cref="Parameter.Value"/> in place
    /// calls <see cref="Parameter.MarkChanged"/> (the trainer does).
    /// </summary>
    public bool PackWeights { get; set; } = true;

    sealed record PackedEntry(int Version, PackedWeight Weight);
    readonly PackedEntry?[] _packed;

    sealed class Layer
    {
        public required Parameter Wq, Bq, Wk, Bk, Wv, Bv, Wao, Bao, G1, B1, Wi, Bi, Wo, Bo, G2, B2;
    }

    /// <summary>
    /// Builds the model from <paramref name="config"/> and tensors named as in a Hugging Face checkpoint
    /// (with or without a <c>bert.</c> / <c>roberta.</c> prefix; extra tensors such as <c>pooler.*</c> or <c>cls.*</c>
    /// are ignored). The tensors' arrays are used, not copied.
    /// </summary>
    /// <param name="config">The configuration.</param>
    /// <param name="tensors">The weights by name.</param>
    /// <param name="source">The file the tensors came from, for error messages.</param>
    /// <exception cref="ModelFormatException">A tensor is missing or has the wrong shape.</exception>
    public BertBackbone(BertConfig config, IReadOnlyDictionary<string, Parameter> tensors, string source = "model.safetensors")
    {
        Config = config;
        HiddenDropout = config.HiddenDropoutProb;
        AttentionDropout = config.AttentionProbsDropoutProb;
        int h = config.HiddenSize, inter = config.IntermediateSize;
        var weights = new WeightReader(tensors, source, _parameters, Candidates);
        Parameter Get(string name, params int[] shape) => weights.Get(name, shape);
        _word = Get(EmbPrefix + "word_embeddings.weight", config.VocabSize, h);
        _word.TouchedRows = new HashSet<int>();
        _position = Get(EmbPrefix + "position_embeddings.weight", config.MaxPositionEmbeddings, h);
        _tokenType = Get(EmbPrefix + "token_type_embeddings.weight", config.TypeVocabSize, h);
        _embGamma = Get(EmbPrefix + "LayerNorm.weight", h);
        _embBeta = Get(EmbPrefix + "LayerNorm.bias", h);
        _layers = new Layer[config.NumHiddenLayers];
        _packed = new PackedEntry?[_layers.Length * 6];
        for (int l = 0; l < _layers.Length; l++)
        {
            string p = $"encoder.layer.{l}.";
            _layers[l] = new Layer
            {
                Wq = Get(p + "attention.self.query.weight", h, h), Bq = Get(p + "attention.self.query.bias", h),
                Wk = Get(p + "attention.self.key.weight", h, h), Bk = Get(p + "attention.self.key.bias", h),
                Wv = Get(p + "attention.self.value.weight", h, h), Bv = Get(p + "attention.self.value.bias", h),
                Wao = Get(p + "attention.output.dense.weight", h, h), Bao = Get(p + "attention.output.dense.bias", h),
                G1 = Get(p + "attention.output.LayerNorm.weight", h), B1 = Get(p + "attention.output.LayerNorm.bias", h),
                Wi = Get(p + "intermediate.dense.weight", inter, h), Bi = Get(p + "intermediate.dense.bias", inter),
                Wo = Get(p + "output.dense.weight", h, inter), Bo = Get(p + "output.dense.bias", h),
                G2 = Get(p + "output.LayerNorm.weight", h), B2 = Get(p + "output.LayerNorm.bias", h),
            };
        }
    }

    static IEnumerable<string> Candidates(string name)
    {
        foreach (var prefix in new[] { "", "bert.", "roberta.", "model." })
        {
            yield return prefix + name;
            if (name.EndsWith("LayerNorm.weight", StringComparison.Ordinal)) yield return prefix + name[..^"weight".Length] + "gamma";
            if (name.EndsWith("LayerNorm.bias", StringComparison.Ordinal)) yield return prefix + name[..^"bias".Length] + "beta";
        }
    }

    /// <summary>Loads <c>config.json</c> and <c>model.safetensors</c> from a Hugging Face model folder.</summary>
    /// <exception cref="ModelFormatException">A file is missing or malformed; the message names the file and the field or tensor.</exception>
    public static BertBackbone Load(string folder)
    {
        var config = BertConfig.Load(Path.Combine(folder, "config.json"));
        string weights = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(weights))
            throw new ModelFormatException(weights, "model.safetensors not found (pytorch_model.bin is not read: convert it to safetensors).");
        return new BertBackbone(config, SafeTensors.Read(weights), weights);
    }

    /// <summary>
    /// A randomly initialised model as Hugging Face initialises one: weights normal(0, initializer_range),
    /// biases 0, LayerNorm 1 and 0, the padding row of the word embeddings 0. Deterministic in <paramref name="seed"/>.
    /// </summary>
    public static BertBackbone Create(BertConfig config, int seed)
    {
        var rng = new Random(seed);
        var tensors = new Dictionary<string, Parameter>();
        int h = config.HiddenSize, inter = config.IntermediateSize;
        void Normal(string name, params int[] shape)
        {
            int n = 1; foreach (var d in shape) n *= d;
            var v = new float[n];
            for (int i = 0; i < n; i += 2)
            {
                double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
                double r = Math.Sqrt(-2 * Math.Log(u1)) * config.InitializerRange;
                v[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
                if (i + 1 < n) v[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
            }
            tensors[name] = new Parameter(name, shape, v);
        }
        void Const(string name, int n, float value)
        {
            var v = new float[n]; if (value != 0) Array.Fill(v, value);
            tensors[name] = new Parameter(name, new[] { n }, v);
        }
        Normal(EmbPrefix + "word_embeddings.weight", config.VocabSize, h);
        if (config.PadTokenId < config.VocabSize) Array.Clear(tensors[EmbPrefix + "word_embeddings.weight"].Value, config.PadTokenId * h, h);
        Normal(EmbPrefix + "position_embeddings.weight", config.MaxPositionEmbeddings, h);
        Normal(EmbPrefix + "token_type_embeddings.weight", config.TypeVocabSize, h);
        Const(EmbPrefix + "LayerNorm.weight", h, 1f); Const(EmbPrefix + "LayerNorm.bias", h, 0f);
        for (int l = 0; l < config.NumHiddenLayers; l++)
        {
            string p = $"encoder.layer.{l}.";
            foreach (var m in new[] { "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense" })
            {
                Normal(p + m + ".weight", h, h); Const(p + m + ".bias", h, 0f);
            }
            Const(p + "attention.output.LayerNorm.weight", h, 1f); Const(p + "attention.output.LayerNorm.bias", h, 0f);
            Normal(p + "intermediate.dense.weight", inter, h); Const(p + "intermediate.dense.bias", inter, 0f);
            Normal(p + "output.dense.weight", h, inter); Const(p + "output.dense.bias", h, 0f);
            Const(p + "output.LayerNorm.weight", h, 1f); Const(p + "output.LayerNorm.bias", h, 0f);
        }
        return new BertBackbone(config, tensors, "(random)");
    }

    /// <inheritdoc />
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        Config.Save(Path.Combine(folder, "config.json"));
        SafeTensors.Write(Path.Combine(folder, "model.safetensors"), _parameters, new Dictionary<string, string> { ["format"] = "pt" });
    }

    void Validate(TokenBatch batch)
    {
        batch.CheckFits(MaxPositions, Config.VocabSize);
        var types = batch.TypeIds;
        for (int t = 0; t < types.Length; t++)
            if ((uint)types[t] >= (uint)Config.TypeVocabSize)
                throw new ArgumentException($"Token type {types[t]} at position {t} is outside type_vocab_size {Config.TypeVocabSize}.", nameof(batch));
    }

    /// <inheritdoc />
    public float[] Forward(TokenBatch batch, CancellationToken cancellationToken = default)
    {
        Validate(batch);
        int T = batch.TotalTokens, H = HiddenSize, I = Config.IntermediateSize;
        var output = new float[T * H];
        if (T == 0) return output;
        var ws = Interlocked.Exchange(ref _spare, null) ?? new Workspace();
        try
        {
            ws.Ensure(T, H, I);
            EmbeddingsForward(batch, ws.Tmp, output, ws.Mean, ws.Rstd, dropoutSeed: null, rate: 0f);
            for (int l = 0; l < _layers.Length; l++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var layer = _layers[l];
                int slot = l * 6;
                Dense(slot, layer.Wq, layer.Bq, output, ws.Q, T, H, H);
                Dense(slot + 1, layer.Wk, layer.Bk, output, ws.K, T, H, H);
                Dense(slot + 2, layer.Wv, layer.Bv, output, ws.V, T, H, H);
                Attention(batch, ws.Q, ws.K, ws.V, ws.Ctx, null, null, 0, 0f);
                // Residuals accumulate in place (the layer input is not needed after this product), bias and GELU
                // are fused into the products' stores.
                Dense(slot + 3, layer.Wao, layer.Bao, ws.Ctx, output, T, H, H, accumulate: true);
                LayerNormRows(output, layer.G1.Value, layer.B1.Value, ws.H1, ws.Mean, ws.Rstd, T);
                Dense(slot + 4, layer.Wi, layer.Bi, ws.H1, ws.Inter, T, H, I, activation: Config.HiddenAct);
                Dense(slot + 5, layer.Wo, layer.Bo, ws.Inter, ws.H1, T, I, H, accumulate: true);
                LayerNormRows(ws.H1, layer.G2.Value, layer.B2.Value, output, ws.Mean, ws.Rstd, T);
            }
        }
        finally { _spare = ws; }
        return output;
    }

    /// <summary>An inference linear layer: with <see cref="PackWeights"/>, through the weight's cached packed copy.</summary>
    void Dense(int slot, Parameter w, Parameter b, float[] x, float[] y, int rows, int inFeatures, int outFeatures,
        ActivationKind? activation = null, bool accumulate = false)
    {
        if (!PackWeights)
        {
            Linear.Forward(x, w.Value, b.Value, y, rows, inFeatures, outFeatures, activation, accumulate);
            return;
        }
        int version = w.Version;
        var entry = Volatile.Read(ref _packed[slot]);
        if (entry is null || entry.Version != version)
            Volatile.Write(ref _packed[slot], entry = new PackedEntry(version, Sgemm.PackWeight(w.Value, outFeatures, inFeatures)));
        Sgemm.Gemm(rows, x, inFeatures, entry.Weight, accumulate ? 1f : 0f, y, outFeatures, bias: b.Value.AsSpan(0, outFeatures), activation: activation);
    }

    /// <summary>word + position + token type → LayerNorm (→ dropout) into <paramref name="y"/>; the sum stays in <paramref name="sum"/>.</summary>
    void EmbeddingsForward(TokenBatch batch, float[] sum, float[] y, float[] mean, float[] rstd, ulong? dropoutSeed, float rate)
    {
        int H = HiddenSize, offset = Config.PositionOffset;
        var word = _word.Value; var pos = _position.Value; var type = _tokenType.Value;
        for (int s = 0; s < batch.Count; s++)
        {
            int start = batch.Starts[s], len = batch.Length(s);
            for (int t = 0; t < len; t++)
            {
                int row = start + t;
                var dst = sum.AsSpan(row * H, H);
                TensorPrimitives.Add(word.AsSpan(batch.Ids[row] * H, H), type.AsSpan(batch.TypeIds[row] * H, H), dst);
                TensorPrimitives.Add(dst, pos.AsSpan((offset + t) * H, H), dst);
            }
        }
        LayerNormRows(sum, _embGamma.Value, _embBeta.Value, y, mean, rstd, batch.TotalTokens);
        if (dropoutSeed is { } seed && rate > 0) Dropout.Apply(y.AsSpan(0, batch.TotalTokens * H), Dropout.Stream(seed, -1, 0), 0, rate);
    }

    static void AddInPlace(float[] acc, float[] x, int n) => TensorPrimitives.Add(acc.AsSpan(0, n), x.AsSpan(0, n), acc.AsSpan(0, n));

    void LayerNormRows(float[] x, float[] gamma, float[] beta, float[] y, float[] mean, float[] rstd, int rows)
    {
        int H = HiddenSize; float eps = Config.LayerNormEps;
        ParallelRows(rows, H * 8, (r0, r1) =>
            LayerNorm.Forward(x.AsSpan(r0 * H), gamma, beta, y.AsSpan(r0 * H), mean.AsSpan(r0), rstd.AsSpan(r0), r1 - r0, H, eps));
    }

    void ActivationRows(float[] x, float[] y, int n)
    {
        var kind = Config.HiddenAct;
        ParallelRows(n, 1, (a, b) => Activation.Forward(kind, x.AsSpan(a, b - a), y.AsSpan(a, b - a)));
    }

    /// <summary>Splits [0, n) into chunks across threads when the work (n × cost) is large enough.</summary>
    static void ParallelRows(int n, int costPerItem, Action<int, int> body)
    {
        int threads = Math.Max(1, Sgemm.MaxThreads);
        long work = (long)n * costPerItem;
        if (threads == 1 || work < 1 << 16) { body(0, n); return; }
        int chunks = (int)Math.Min(threads * 4L, Math.Max(1, work >> 15));
        chunks = Math.Min(chunks, n);
        WorkerPool.For(chunks, threads, c =>
        {
            int a = (int)((long)n * c / chunks), b = (int)((long)n * (c + 1) / chunks);
            if (b > a) body(a, b);
        });
    }

    [ThreadStatic] static float[]? t_scores;
    [ThreadStatic] static float[]? t_scores2;

    static float[] Scratch(ref float[]? buffer, int n) => buffer is { } b && b.Length >= n ? b : (buffer = new float[Math.Max(n, 1024)]);

    /// <summary>
    /// Scaled dot-product attention per sequence and head. With <paramref name="probs"/>, the softmax output of
    /// each (sequence, head) is kept at <c>probOffsets[s] + h·L·L</c> (before dropout).
    /// </summary>
    void Attention(TokenBatch batch, float[] q, float[] k, float[] v, float[] ctx, float[]? probs, long[]? probOffsets, ulong stream, float rate)
    {
        int H = HiddenSize, heads = Config.NumAttentionHeads, d = Config.HeadSize;
        float scale = 1f / MathF.Sqrt(d);
        int items = batch.Count * heads;
        void Item(int w)
        {
            int s = w / heads, h = w % heads;
            int L = batch.Length(s), off = batch.Starts[s] * H + h * d;
            if (L == 0) return;
            Span<float> scores = probs is not null
                ? probs.AsSpan((int)(probOffsets![s] + (long)h * L * L), L * L)
                : Scratch(ref t_scores, L * L).AsSpan(0, L * L);
            // Unscaled Q·Kᵀ (alpha 1 lets the GEMM read Q in place); the 1/√d goes into the softmax.
            Sgemm.Gemm(false, true, L, L, d, 1f, q.AsSpan(off), H, k.AsSpan(off), H, 0f, scores, L, parallel: false);
            Softmax.Forward(scores, L, L, L, scale);
            ReadOnlySpan<float> p = scores;
            if (rate > 0f)
            {
                var dropped = Scratch(ref t_scores2, L * L).AsSpan(0, L * L);
                scores.CopyTo(dropped);
                Dropout.Apply(dropped, stream, probOffsets![s] + (long)h * L * L, rate);
                p = dropped;
            }
            Sgemm.Gemm(false, false, L, d, L, 1f, p, L, v.AsSpan(off), H, 0f, ctx.AsSpan(off), H, parallel: false);
        }
        long work = 0;
        for (int s = 0; s < batch.Count; s++) work += (long)batch.Length(s) * batch.Length(s) * H;
        if (Sgemm.MaxThreads <= 1 || work < 1 << 16 || items == 1) { for (int w = 0; w < items; w++) Item(w); }
        else WorkerPool.For(items, Sgemm.MaxThreads, Item);
    }

    /// <summary>Reusable inference buffers (grown, never shrunk).</summary>
    sealed class Workspace
    {
        public float[] Q = [], K = [], V = [], Ctx = [], Tmp = [], H1 = [], Inter = [], Mean = [], Rstd = [];

        public void Ensure(int tokens, int hidden, int inter)
        {
            int n = tokens * hidden;
            if (Q.Length < n)
            {
                int cap = Math.Max(n, Q.Length * 3 / 2);
                Q = new float[cap]; K = new float[cap]; V = new float[cap]; Ctx = new float[cap]; Tmp = new float[cap]; H1 = new float[cap];
            }
            if (Inter.Length < tokens * inter) Inter = new float[Math.Max(tokens * inter, Inter.Length * 3 / 2)];
            if (Mean.Length < tokens) { Mean = new float[Math.Max(tokens, Mean.Length * 3 / 2)]; Rstd = new float[Mean.Length]; }
        }
    }
}
