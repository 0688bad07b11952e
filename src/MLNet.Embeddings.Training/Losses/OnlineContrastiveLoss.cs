namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// Online contrastive loss: <see cref="ContrastiveLoss"/> on the hard pairs of the batch only;
/// sentence-transformers' <c>OnlineContrastiveLoss</c>.
/// </summary>
/// <remarks>
/// Hard positives are positive pairs farther apart than the closest negative pair; hard negatives are negative
/// pairs closer than the farthest positive pair. Loss <c>Σ d_pos² + Σ max(0, Margin − d_neg)²</c> (summed,
/// as sentence-transformers). Often better than the plain contrastive loss on duplicate-detection data.
/// </remarks>
public sealed class OnlineContrastiveLoss : ILoss
{
    /// <summary>Distance (default cosine distance).</summary>
    public DistanceMetric Distance { get; init; } = DistanceMetric.Cosine;
    /// <summary>Margin for negative pairs (default 0.5).</summary>
    public float Margin { get; init; } = 0.5f;

    /// <inheritdoc />
    public string Name => "online-contrastive";
    /// <inheritdoc />
    public LossColumns Columns => LossColumns.Anchor | LossColumns.Positive | LossColumns.Label;

    /// <inheritdoc />
    public LossResult Compute(LossInput input)
    {
        LossMath.CheckColumns(input, Name, 2, 2);
        var labels = LossMath.Labels(input, Name);
        var dist = new PairDistance(Distance, input.Columns[0], input.Columns[1]);
        var d = dist.Values;
        var pos = new List<int>(); var neg = new List<int>();
        for (int i = 0; i < d.Length; i++) (labels[i] == 1f ? pos : labels[i] == 0f ? neg : null)?.Add(i);
        // thresholds exactly as sentence-transformers (a lone pair falls back to its own group's mean; NaN selects none)
        float posMax = pos.Count > 1 ? pos.Max(i => d[i]) : neg.Count > 0 ? (float)neg.Average(i => d[i]) : float.NaN;
        float negMin = neg.Count > 1 ? neg.Min(i => d[i]) : pos.Count > 0 ? (float)pos.Average(i => d[i]) : float.NaN;
        double loss = 0; var g = new float[d.Length];
        foreach (var i in pos)
            if (d[i] > negMin) { loss += (double)d[i] * d[i]; g[i] = 2f * d[i]; }
        foreach (var i in neg)
            if (d[i] < posMax)
            {
                float h = MathF.Max(0f, Margin - d[i]);
                loss += (double)h * h; g[i] = -2f * h;
            }
        var grads = LossMath.ZeroGradients(input.Columns);
        dist.Backward(g, grads[0], grads[1]);
        return new LossResult { Loss = (float)loss, Gradients = grads };
    }
}
