namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// Batch-hard triplet loss: Hermans, Beyer and Leibe 2017, "In Defense of the Triplet Loss for Person
/// Re-Identification"; sentence-transformers' <c>BatchHardTripletLoss</c>.
/// </summary>
/// <remarks>
/// Input: one text and an integer class label per row. For each anchor, its farthest positive (same label) and its
/// nearest negative (other label) give <c>max(0, d(a, p) − d(a, n) + Margin)</c>; the loss is the mean over anchors.
/// An anchor without a negative takes, as sentence-transformers, its smallest distance shifted by its largest.
/// </remarks>
public sealed class BatchHardTripletLoss : ILoss
{
    /// <summary>Distance (default euclidean, as sentence-transformers).</summary>
    public DistanceMetric Distance { get; init; } = DistanceMetric.Euclidean;
    /// <summary>Required gap between negative and positive distance (default 5).</summary>
    public float Margin { get; init; } = 5f;

    /// <inheritdoc />
    public string Name => "batch-hard-triplet";
    /// <inheritdoc />
    public LossColumns Columns => LossColumns.Anchor | LossColumns.Label;

    /// <inheritdoc />
    public LossResult Compute(LossInput input) => LabelTriplets.Compute(input, Name, Distance, (d, labels, dd) =>
    {
        int b = labels.Length;
        double loss = 0;
        for (int a = 0; a < b; a++)
        {
            // hardest positive: max over the masked row (non-positives count as 0)
            float hp = 0; int hpIdx = -1;
            for (int j = 0; j < b; j++)
                if (j != a && labels[j] == labels[a] && d[a, j] > hp) { hp = d[a, j]; hpIdx = j; }
            float rowMax = float.NegativeInfinity; int maxIdx = 0;
            for (int j = 0; j < b; j++) if (d[a, j] > rowMax) { rowMax = d[a, j]; maxIdx = j; }
            // hardest negative: min of d + rowMax·(same label)
            float hn = float.PositiveInfinity; int hnIdx = 0;
            for (int j = 0; j < b; j++)
            {
                float v = d[a, j] + (labels[j] == labels[a] ? rowMax : 0f);
                if (v < hn) { hn = v; hnIdx = j; }
            }
            float l = hp - hn + Margin;
            if (l <= 0) continue;
            loss += l;
            float g = 1f / b;
            if (hpIdx >= 0) dd[a, hpIdx] += g;
            dd[a, hnIdx] -= g;
            if (labels[hnIdx] == labels[a]) dd[a, maxIdx] -= g;
        }
        return loss / b;
    });
}
