using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// Softmax classification loss: Reimers and Gurevych 2019, "Sentence-BERT" (the NLI objective); sentence-transformers'
/// <c>SoftmaxLoss</c> with its defaults.
/// </summary>
/// <remarks>
/// Input: (sentence1, sentence2, label) with integer labels 0 … <see cref="NumLabels"/> − 1 (NLI: entailment,
/// neutral, contradiction). The embeddings u, v become the features <c>(u, v, |u − v|)</c>, a linear classifier
/// <c>W·x + b</c> (<c>W</c>: NumLabels × 3·dim, named <c>classifier.weight</c>/<c>classifier.bias</c>, initialised as
/// torch.nn.Linear) gives logits, and the loss is their mean cross-entropy. The classifier is trained with the encoder
/// and is not part of the saved model, as in sentence-transformers. When <see cref="NumLabels"/> is not set the trainer
/// takes it from the training data (largest label + 1).
/// </remarks>
public sealed class SoftmaxLoss : ITrainableLoss
{
    Parameter? _w, _b;

    /// <summary>Number of classes; null: the trainer sets it from the data.</summary>
    public int? NumLabels { get; set; }
    /// <summary>Seed of the classifier's initial weights (default 42).</summary>
    public int Seed { get; init; } = 42;

    /// <inheritdoc />
    public string Name => "softmax";
    /// <inheritdoc />
    public LossColumns Columns => LossColumns.Anchor | LossColumns.Positive | LossColumns.Label;
    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _w is null ? [] : [_w, _b!];

    /// <inheritdoc />
    public void Initialize(int dimension)
    {
        int k = NumLabels ?? throw new InvalidOperationException("SoftmaxLoss.NumLabels is not set.");
        if (k < 2) throw new ConfigurationException(nameof(NumLabels), $"softmax needs at least 2 labels, found {k}.");
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension));
        if (_w is not null && _w.Shape[0] == k && _w.Shape[1] == 3 * dimension) return;
        int fanIn = 3 * dimension;
        var rng = new Random(Seed);
        float bound = 1f / MathF.Sqrt(fanIn); // torch.nn.Linear: kaiming_uniform(a=√5) gives U(−1/√fan_in, 1/√fan_in), bias the same
        float U() => (float)(rng.NextDouble() * 2 - 1) * bound;
        var w = new float[k * fanIn]; for (int i = 0; i < w.Length; i++) w[i] = U();
        var b = new float[k]; for (int i = 0; i < b.Length; i++) b[i] = U();
        _w = new Parameter("classifier.weight", [k, fanIn], w);
        _b = new Parameter("classifier.bias", [k], b);
    }

    /// <inheritdoc />
    public LossResult Compute(LossInput input)
    {
        LossMath.CheckColumns(input, Name, 2, 2);
        var labels = LossMath.Labels(input, Name);
        Matrix u = input.Columns[0], v = input.Columns[1];
        int n = u.Rows, d = u.Cols;
        if (_w is null) Initialize(d);
        int k = _w!.Shape[0], f = 3 * d;
        if (_w.Shape[1] != f) throw new ArgumentException($"Loss 'softmax': the classifier takes {_w.Shape[1] / 3}-dimensional embeddings, found {d}.");
        var x = new float[f];
        var logits = new double[k];
        var dW = _w.Grad; var dB = _b!.Grad;
        var grads = LossMath.ZeroGradients(input.Columns);
        var dx = new float[f];
        double loss = 0;
        for (int r = 0; r < n; r++)
        {
            int y = (int)labels[r];
            if (y != labels[r] || y < 0 || y >= k) throw new ArgumentException($"Loss 'softmax': row {r} has label {labels[r]}; expected an integer 0..{k - 1}.");
            var ur = u.Row(r); var vr = v.Row(r);
            for (int j = 0; j < d; j++) { x[j] = ur[j]; x[d + j] = vr[j]; x[2 * d + j] = MathF.Abs(ur[j] - vr[j]); }
            double max = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                double z = _b.Value[c];
                var wr = _w.Value.AsSpan(c * f, f);
                for (int j = 0; j < f; j++) z += (double)wr[j] * x[j];
                logits[c] = z; max = Math.Max(max, z);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) sum += Math.Exp(logits[c] - max);
            double lse = max + Math.Log(sum);
            loss += lse - logits[y];
            Array.Clear(dx);
            for (int c = 0; c < k; c++)
            {
                float g = (float)((Math.Exp(logits[c] - lse) - (c == y ? 1 : 0)) / n);
                dB[c] += g;
                var wr = _w.Value.AsSpan(c * f, f); var gw = dW.AsSpan(c * f, f);
                for (int j = 0; j < f; j++) { gw[j] += g * x[j]; dx[j] += g * wr[j]; }
            }
            var gu = grads[0].Row(r); var gv = grads[1].Row(r);
            for (int j = 0; j < d; j++)
            {
                float diff = ur[j] - vr[j];
                float s = diff > 0 ? 1 : diff < 0 ? -1 : 0; // torch: d|t|/dt = sign(t), 0 at 0
                gu[j] += dx[j] + s * dx[2 * d + j];
                gv[j] += dx[d + j] - s * dx[2 * d + j];
            }
        }
        return new LossResult { Loss = (float)(loss / n), Gradients = grads };
    }
}
