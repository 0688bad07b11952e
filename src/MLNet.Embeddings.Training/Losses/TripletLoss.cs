namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// Triplet loss: Schroff, Kalenichenko and Philbin 2015, "FaceNet"; sentence-transformers' <c>TripletLoss</c>.
/// </summary>
/// <remarks>
/// Input: (anchor, positive, negative). Loss <c>mean(max(0, d(a, p) − d(a, n) + Margin))</c>: the negative must be
/// at least <see cref="Margin"/> farther from the anchor than the positive. sentence-transformers uses euclidean
/// distance with margin 5; with <see cref="DistanceMetric.Cosine"/> a margin around 0.1–0.5 fits.
/// </remarks>
public sealed class TripletLoss : ILoss
{
    /// <summary>Distance (default euclidean, as sentence-transformers).</summary>
    public DistanceMetric Distance { get; init; } = DistanceMetric.Euclidean;
    /// <summary>Required gap between the negative's and the positive's distance (default 5).</summary>
    public float Margin { get; init; } = 5f;

    /// <inheritdoc />
    public string Name => "triplet";
    /// <inheritdoc />
    public LossColumns Columns => LossColumns.Anchor | LossColumns.Positive | LossColumns.Negatives;

    /// <inheritdoc />
    public LossResult Compute(LossInput input)
    {
        LossMath.CheckColumns(input, Name, 3, 3);
        var cols = input.Columns;
        var dp = new PairDistance(Distance, cols[0], cols[1]);
        var dn = new PairDistance(Distance, cols[0], cols[2]);
        int b = cols[0].Rows;
        double loss = 0; var gp = new float[b]; var gn = new float[b];
        for (int i = 0; i < b; i++)
        {
            float v = dp.Values[i] - dn.Values[i] + Margin;
            if (v > 0) { loss += v; gp[i] = 1f / b; gn[i] = -1f / b; }
        }
        var grads = LossMath.ZeroGradients(cols);
        dp.Backward(gp, grads[0], grads[1]);
        dn.Backward(gn, grads[0], grads[2]);
        return new LossResult { Loss = (float)(loss / b), Gradients = grads };
    }
}
