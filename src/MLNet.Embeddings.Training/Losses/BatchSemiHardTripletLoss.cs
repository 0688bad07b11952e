namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// Batch semi-hard triplet loss: Schroff, Kalenichenko and Philbin 2015, "FaceNet" (semi-hard negatives);
/// sentence-transformers' <c>BatchSemiHardTripletLoss</c> (after TensorFlow Addons' triplet_semihard_loss).
/// </summary>
/// <remarks>
/// Input: one text and an integer class label per row. For every positive pair (a, p) the negative is the nearest
/// one farther from a than p (semi-hard); when there is none, the farthest negative. The loss is the mean of
/// <c>max(0, d(a, p) − d(a, n) + Margin)</c> over the positive pairs (0 when the batch has none).
/// </remarks>
public sealed class BatchSemiHardTripletLoss : ILoss
{
    /// <summary>Distance (default euclidean, as sentence-transformers).</summary>
    public DistanceMetric Distance { get; init; } = DistanceMetric.Euclidean;
    /// <summary>Required gap between negative and positive distance (default 5).</summary>
    public float Margin { get; init; } = 5f;

    /// <inheritdoc />
    public string Name => "batch-semi-hard-triplet";
    /// <inheritdoc />
    public LossColumns Columns => LossColumns.Anchor | LossColumns.Label;

    /// <inheritdoc />
    public LossResult Compute(LossInput input) => LabelTriplets.Compute(input, Name, Distance, (d, labels, dd) =>
    {
        int b = labels.Length;
        var pairs = new List<(int A, int P, int N, float V)>();
        for (int a = 0; a < b; a++)
        {
            // fallback ("negatives inside"): the farthest negative; with no negative at all, the row's minimum
            int inside = -1; float insideV = float.NegativeInfinity;
            for (int n = 0; n < b; n++)
                if (labels[n] != labels[a] && d[a, n] > insideV) { insideV = d[a, n]; inside = n; }
            if (inside < 0)
            {
                insideV = float.PositiveInfinity;
                for (int n = 0; n < b; n++) if (d[a, n] < insideV) { insideV = d[a, n]; inside = n; }
            }
            for (int p = 0; p < b; p++)
            {
                if (p == a || labels[p] != labels[a]) continue;
                int neg = -1; float negV = float.PositiveInfinity;
                for (int n = 0; n < b; n++)
                    if (labels[n] != labels[a] && d[a, n] > d[a, p] && d[a, n] < negV) { negV = d[a, n]; neg = n; }
                if (neg < 0) { neg = inside; negV = insideV; }
                pairs.Add((a, p, neg, d[a, p] - negV + Margin));
            }
        }
        if (pairs.Count == 0) return 0;
        double loss = 0; float g = 1f / pairs.Count;
        foreach (var (a, p, n, v) in pairs)
        {
            if (v <= 0) continue;
            loss += v; dd[a, p] += g; dd[a, n] -= g;
        }
        return loss / pairs.Count;
    });
}
