namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// Contrastive loss: Hadsell, Chopra and LeCun 2006, "Dimensionality Reduction by Learning an Invariant Mapping";
/// sentence-transformers' <c>ContrastiveLoss</c>.
/// </summary>
/// <remarks>
/// Input: (sentence1, sentence2, label 0/1). Loss per pair <c>½·(y·d² + (1 − y)·max(0, Margin − d)²)</c>,
/// averaged: similar pairs are pulled together, dissimilar ones pushed beyond <see cref="Margin"/>.
/// Related: <see cref="OnlineContrastiveLoss"/>, which only uses the hard pairs of a batch.
/// </remarks>
public sealed class ContrastiveLoss : ILoss
{
    /// <summary>Distance (default cosine distance, as sentence-transformers).</summary>
    public DistanceMetric Distance { get; init; } = DistanceMetric.Cosine;
    /// <summary>Distance beyond which dissimilar pairs cost nothing (default 0.5).</summary>
    public float Margin { get; init; } = 0.5f;

    /// <inheritdoc />
    public string Name => "contrastive";
    /// <inheritdoc />
    public LossColumns Columns => LossColumns.Anchor | LossColumns.Positive | LossColumns.Label;

    /// <inheritdoc />
    public LossResult Compute(LossInput input)
    {
        LossMath.CheckColumns(input, Name, 2, 2);
        var labels = LossMath.Labels(input, Name);
        var dist = new PairDistance(Distance, input.Columns[0], input.Columns[1]);
        int b = labels.Length;
        double loss = 0; var g = new float[b];
        for (int i = 0; i < b; i++)
        {
            float d = dist.Values[i], y = labels[i];
            float h = MathF.Max(0f, Margin - d);
            loss += 0.5 * (y * d * d + (1 - y) * h * h);
            g[i] = (y * d - (1 - y) * h) / b;
        }
        var grads = LossMath.ZeroGradients(input.Columns);
        dist.Backward(g, grads[0], grads[1]);
        return new LossResult { Loss = (float)(loss / b), Gradients = grads };
    }
}
