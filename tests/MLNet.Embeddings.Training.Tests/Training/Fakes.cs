using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Tensors;
using MLNet.Embeddings.Tokenization;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.Training.Tests.Training;

/// <summary>Whitespace tokenizer: [CLS]=1 then one id per lower-cased word (stable hash); for tests only.</summary>
internal sealed class FakeTokenizer(int vocab) : ITokenizer
{
    public int VocabSize => vocab;
    public int PadId => 0;

    public TokenizedText Encode(string text, int maxLength = 512, bool addSpecialTokens = true)
    {
        var ids = new List<int> { 1 };
        foreach (var w in text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            uint h = 2166136261;
            foreach (char c in w) h = (h ^ c) * 16777619;
            ids.Add(2 + (int)(h % (uint)(vocab - 2)));
        }
        if (ids.Count > maxLength) ids.RemoveRange(maxLength, ids.Count - maxLength);
        return new TokenizedText(ids.ToArray(), new int[ids.Count], new (int, int)[ids.Count]);
    }

    public string? IdToToken(int id) => null;
    public int? TokenToId(string token) => null;
    public void Save(string folder) { }
}

/// <summary>
/// Tiny trainable backbone: token vector = tanh(W · dropout(E[id]) + b). Dropout masks derive from the seed only.
/// </summary>
internal sealed class FakeBackbone : ITrainableBackbone
{
    readonly int _h;
    public FakeBackbone(int vocab, int hidden, int seed, bool sparseEmbeddings = false)
    {
        _h = hidden;
        var rng = new Random(seed);
        float[] R(int n, float s) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * s).ToArray();
        Embeddings = new Parameter("embeddings.word_embeddings.weight", new[] { vocab, hidden }, R(vocab * hidden, 1f));
        if (sparseEmbeddings) Embeddings.TouchedRows = new HashSet<int>();
        Weight = new Parameter("dense.weight", new[] { hidden, hidden }, R(hidden * hidden, 0.5f));
        Bias = new Parameter("dense.bias", new[] { hidden }, R(hidden, 0.1f));
        Parameters = new[] { Embeddings, Weight, Bias };
    }

    public Parameter Embeddings { get; }
    public Parameter Weight { get; }
    public Parameter Bias { get; }
    public IReadOnlyList<Parameter> Parameters { get; }
    public float HiddenDropout { get; set; }
    public float AttentionDropout { get; set; }
    public string ModelType => "fake";
    public int HiddenSize => _h;
    public int MaxPositions => 512;
    public int ForwardTrainCalls { get; private set; }

    sealed class Acts : BackboneActivations { public required float[] X { get; init; } public required float[] Mask { get; init; } }

    public float[] Forward(TokenBatch batch, CancellationToken cancellationToken = default) => Run(batch, null, out _, out _);

    public BackboneActivations ForwardTrain(TokenBatch batch, ulong dropoutSeed)
    {
        ForwardTrainCalls++;
        var o = Run(batch, dropoutSeed, out var x, out var mask);
        return new Acts { Batch = batch, Output = o, X = x, Mask = mask };
    }

    float[] Run(TokenBatch batch, ulong? seed, out float[] x, out float[] mask)
    {
        int n = batch.TotalTokens;
        x = new float[n * _h]; mask = new float[n * _h];
        var rng = seed is { } s ? new Random((int)(s ^ (s >> 32))) : null;
        float p = seed is null ? 0 : HiddenDropout;
        for (int t = 0; t < n; t++)
            for (int k = 0; k < _h; k++)
            {
                float m = 1f;
                if (p > 0) m = rng!.NextDouble() < p ? 0f : 1f / (1 - p);
                mask[t * _h + k] = m;
                x[t * _h + k] = Embeddings.Value[batch.Ids[t] * _h + k] * m;
            }
        var o = new float[n * _h];
        for (int t = 0; t < n; t++)
            for (int i = 0; i < _h; i++)
            {
                float a = Bias.Value[i];
                for (int k = 0; k < _h; k++) a += Weight.Value[i * _h + k] * x[t * _h + k];
                o[t * _h + i] = MathF.Tanh(a);
            }
        return o;
    }

    public void Backward(BackboneActivations activations, ReadOnlySpan<float> dOut)
    {
        var a = (Acts)activations;
        int n = a.Batch.TotalTokens;
        var dpre = new float[_h];
        for (int t = 0; t < n; t++)
        {
            for (int i = 0; i < _h; i++)
            {
                float y = a.Output[t * _h + i];
                dpre[i] = dOut[t * _h + i] * (1 - y * y);
                Bias.Grad[i] += dpre[i];
                for (int k = 0; k < _h; k++) Weight.Grad[i * _h + k] += dpre[i] * a.X[t * _h + k];
            }
            int id = a.Batch.Ids[t];
            Embeddings.TouchedRows?.Add(id);
            for (int k = 0; k < _h; k++)
            {
                float dx = 0;
                for (int i = 0; i < _h; i++) dx += Weight.Value[i * _h + k] * dpre[i];
                Embeddings.Grad[id * _h + k] += dx * a.Mask[t * _h + k];
            }
        }
    }

    public void Save(string folder) { }
}

/// <summary>Mean pooling with its backward, for tests only (the encoder's pooling is the real one).</summary>
internal sealed class MeanPooling : ITrainingPooling
{
    public Matrix Forward(TokenBatch batch, float[] tokens)
    {
        int h = tokens.Length / batch.TotalTokens;
        var m = new Matrix(batch.Count, h);
        for (int s = 0; s < batch.Count; s++)
        {
            int len = batch.Length(s);
            for (int t = batch.Starts[s]; t < batch.Starts[s + 1]; t++)
                for (int k = 0; k < h; k++) m[s, k] += tokens[t * h + k] / len;
        }
        return m;
    }

    public float[] Backward(TokenBatch batch, float[] tokens, Matrix g)
    {
        int h = g.Cols;
        var d = new float[tokens.Length];
        for (int s = 0; s < batch.Count; s++)
        {
            int len = batch.Length(s);
            for (int t = batch.Starts[s]; t < batch.Starts[s + 1]; t++)
                for (int k = 0; k < h; k++) d[t * h + k] = g[s, k] / len;
        }
        return d;
    }
}

/// <summary>Reports synchronously (System.Progress posts to a context, too late to cancel at an exact step).</summary>
internal sealed class SyncProgress(Action<TrainingProgress> action) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => action(value);
}
