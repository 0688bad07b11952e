namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// CoSENT loss: Su 2022, "CoSENT: a more efficient sentence vector scheme than Sentence-BERT";
/// sentence-transformers' <c>CoSENTLoss</c>.
/// </summary>
/// <remarks>
/// Input: (sentence1, sentence2, score). For every two pairs whose gold scores are ordered
/// <c>s_i &lt; s_j</c>, penalises <c>Scale·(cos_i − cos_j)</c> through
/// <c>log(1 + Σ exp(Scale·(cos_i − cos_j)))</c>: only the ranking of the pairs matters, not the score scale.
/// </remarks>
public sealed class CoSentLoss : ILoss
{
    /// <summary>Multiplier of the cosine scores (sentence-transformers: 20).</summary>
    public float Scale { get; init; } = 20f;

    /// <inheritdoc />
    public string Name => "cosent";
    /// <inheritdoc />
    public LossColumns Columns => LossColumns.Anchor | LossColumns.Positive | LossColumns.Score;

    /// <inheritdoc />
    public LossResult Compute(LossInput input)
    {
        LossMath.CheckColumns(input, Name, 2, 2);
        var labels = LossMath.Labels(input, Name);
        var cos = LossMath.PairCosine(input.Columns[0], input.Columns[1], out var an, out var aN, out var bn, out var bN);
        int b = cos.Length;
        var s = new double[b];
        for (int i = 0; i < b; i++) s[i] = (double)Scale * cos[i];
        // logsumexp over {0} ∪ {s_i − s_j : label_i < label_j}
        double max = 0;
        for (int i = 0; i < b; i++)
            for (int j = 0; j < b; j++)
                if (labels[i] < labels[j]) max = Math.Max(max, s[i] - s[j]);
        double sum = Math.Exp(-max);
        for (int i = 0; i < b; i++)
            for (int j = 0; j < b; j++)
                if (labels[i] < labels[j]) sum += Math.Exp(s[i] - s[j] - max);
        double logZ = max + Math.Log(sum);
        var dcos = new float[b];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < b; j++)
                if (labels[i] < labels[j])
                {
                    double p = Math.Exp(s[i] - s[j] - logZ) * Scale;
                    dcos[i] += (float)p; dcos[j] -= (float)p;
                }
        var grads = LossMath.ZeroGradients(input.Columns);
        LossMath.PairCosineBackward(dcos, an, aN, bn, bN, grads[0], grads[1]);
        return new LossResult { Loss = (float)logZ, Gradients = grads };
    }
}
