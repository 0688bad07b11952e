namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// Batch-all triplet loss: Hermans, Beyer and Leibe 2017, "In Defense of the Triplet Loss for Person
/// Re-Identification"; sentence-transformers' <c>BatchAllTripletLoss</c>.
/// </summary>
/// <remarks>
/// Input: one text and an integer class label per row. Every triplet of the batch (anchor a, positive p with a's label,
/// negative n with another label) gives <c>max(0, d(a, p) − d(a, n) + Margin)</c>; the loss is their sum over the
/// number of triplets with a positive value (0 when there is none). Batches need several texts per label: sample
/// with large batches or group rows by label.
/// </remarks>
public sealed class BatchAllTripletLoss : ILoss
{
    /// <summary>Distance (default euclidean, as sentence-transformers).</summary>
    public DistanceMetric Distance { get; init; } = DistanceMetric.Euclidean;
    /// <summary>Required gap between negative and positive distance (default 5).</summary>
    public float Margin { get; init; } = 5f;

    /// <inheritdoc />
    public string Name => "batch-all-triplet";
    /// <inheritdoc />
    public LossColumns Columns => LossColumns.Anchor | LossColumns.Label;

    /// <inheritdoc />
    public LossResult Compute(LossInput input) => LabelTriplets.Compute(input, Name, Distance, (d, labels, dd) =>
    {
        int b = labels.Length;
        double sum = 0; int active = 0;
        var act = new List<(int A, int P, int N)>();
        for (int a = 0; a < b; a++)
            for (int p = 0; p < b; p++)
            {
                if (p == a || labels[p] != labels[a]) continue;
                for (int n = 0; n < b; n++)
                {
                    if (labels[n] == labels[a]) continue;
                    float v = d[a, p] - d[a, n] + Margin;
                    if (v > 0) { sum += v; if (v > 1e-16f) active++; act.Add((a, p, n)); }
                }
            }
        if (act.Count == 0) return 0;
        float g = (float)(1.0 / (active + 1e-16));
        foreach (var (a, p, n) in act) { dd[a, p] += g; dd[a, n] -= g; }
        return sum / (active + 1e-16);
    });
}
