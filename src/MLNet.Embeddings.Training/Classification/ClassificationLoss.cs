namespace MLNet.Embeddings.Training.Classification;

/// <summary>
/// Softmax cross-entropy over N logits per sequence with optional class weights, as PyTorch's
/// <c>CrossEntropyLoss(weight=w)</c> (reduction mean): <c>Σᵢ w[yᵢ]·(−log softmax(zᵢ)[yᵢ]) / Σᵢ w[yᵢ]</c>.
/// </summary>
internal static class ClassificationLoss
{
    /// <summary>The weight of one target (1 without class weights).</summary>
    public static double Weight(IReadOnlyList<float>? weights, int target) => weights is null ? 1.0 : weights[target];

    /// <summary>
    /// Adds this chunk's share of the loss: <c>Σ w·nll / <paramref name="denominator"/></c> (the denominator is the whole
    /// batch's total weight, so chunks add up to the batch's loss), and writes dLoss/dLogits into <paramref name="grad"/>.
    /// </summary>
    public static double Compute(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int numLabels, IReadOnlyList<float>? weights,
        double denominator, Span<float> grad)
    {
        int n = targets.Length;
        if (logits.Length != n * numLabels || grad.Length != logits.Length) throw new ArgumentException($"Expected {n}×{numLabels} logits and gradients.");
        double sum = 0;
        Span<double> p = numLabels <= 256 ? stackalloc double[numLabels] : new double[numLabels];
        for (int i = 0; i < n; i++)
        {
            var z = logits.Slice(i * numLabels, numLabels);
            int y = targets[i];
            double max = double.NegativeInfinity, total = 0;
            foreach (var v in z) max = Math.Max(max, v);
            for (int j = 0; j < numLabels; j++) { p[j] = Math.Exp(z[j] - max); total += p[j]; }
            double w = Weight(weights, y) / denominator;
            sum += w * (Math.Log(total) + max - z[y]);
            for (int j = 0; j < numLabels; j++) grad[i * numLabels + j] = (float)(w * (p[j] / total - (j == y ? 1 : 0)));
        }
        return sum;
    }
}
