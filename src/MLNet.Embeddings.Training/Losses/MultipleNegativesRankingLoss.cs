using System.Numerics.Tensors;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// Multiple negatives ranking loss (InfoNCE with in-batch negatives): Henderson et al. 2017, "Efficient Natural
/// Language Response Suggestion for Smart Reply"; van den Oord et al. 2018, "Representation Learning with
/// Contrastive Predictive Coding"; sentence-transformers' <c>MultipleNegativesRankingLoss</c>.
/// </summary>
/// <remarks>
/// Input: (anchor, positive) pairs, optionally with hard negatives in columns 2.. . For anchor <c>i</c> the
/// candidates are every positive and every hard negative in the batch; the loss is the cross-entropy of
/// <c>Scale · cos(anchor_i, candidate_j)</c> with the target <c>j = i</c>. Larger batches give more negatives.
/// <para><see cref="Symmetric"/> adds the reverse direction (positive → anchors) and averages both, as
/// <c>MultipleNegativesSymmetricRankingLoss</c>.</para>
/// <para><see cref="ExcludeDuplicates"/> (needs <see cref="LossInput.TextIds"/>) masks candidates that are the
/// same text as the anchor's own positive, and positives of rows with the same anchor text: they are not
/// negatives, and training against them only hurts.</para>
/// Related: <see cref="CachedMultipleNegativesRankingLoss"/> (same loss, large batches in bounded memory),
/// <see cref="SimCseLoss"/> (unsupervised).
/// </remarks>
public sealed class MultipleNegativesRankingLoss : ILoss
{
    /// <summary>Multiplier of the cosine scores, 1/temperature (sentence-transformers: 20, i.e. temperature 0.05).</summary>
    public float Scale { get; init; } = 20f;
    /// <summary>Also rank anchors for each positive and average both directions.</summary>
    public bool Symmetric { get; init; }
    /// <summary>Mask in-batch candidates that are the same text as the positive (needs <see cref="LossInput.TextIds"/>).</summary>
    public bool ExcludeDuplicates { get; init; }

    /// <inheritdoc />
    public string Name => Symmetric ? "mnrl-symmetric" : "mnrl";
    /// <inheritdoc />
    public LossColumns Columns => LossColumns.Anchor | LossColumns.Positive | LossColumns.OptionalNegatives;

    /// <inheritdoc />
    public LossResult Compute(LossInput input)
    {
        LossMath.CheckColumns(input, Name, 2);
        var cols = input.Columns;
        int b = cols[0].Rows, d = cols[0].Cols, nc = cols.Count - 1, n = nc * b;
        if (ExcludeDuplicates && (input.TextIds is null || input.TextIds.Count != cols.Count))
            throw new ArgumentException($"Loss '{Name}' with ExcludeDuplicates needs TextIds for each of the {cols.Count} columns.");

        var an = LossMath.Normalize(cols[0], out var aNorm);
        var cn = new Matrix[nc]; var cNorm = new float[nc][];
        for (int c = 0; c < nc; c++) cn[c] = LossMath.Normalize(cols[c + 1], out cNorm[c]);

        // logits[i, j]: anchor i vs candidate j = c·b + k (column c+1, row k)
        var logits = new float[b * n];
        for (int i = 0; i < b; i++)
            for (int c = 0; c < nc; c++)
                for (int k = 0; k < b; k++)
                    logits[i * n + c * b + k] = Scale * TensorPrimitives.Dot((ReadOnlySpan<float>)an.Row(i), cn[c].Row(k));

        bool Masked(int i, int c, int k)
        {
            if (!ExcludeDuplicates || (c == 0 && k == i)) return false;
            var ids = input.TextIds!;
            return ids[c + 1][k] == ids[1][i] || (c == 0 && ids[0][k] == ids[0][i]);
        }

        float weight = Symmetric ? 0.5f : 1f;
        var dLogits = new float[b * n];
        double loss = 0;
        for (int i = 0; i < b; i++)
        {
            var row = logits.AsSpan(i * n, n);
            for (int c = 0; c < nc; c++)
                for (int k = 0; k < b; k++)
                    if (Masked(i, c, k)) row[c * b + k] = float.NegativeInfinity;
            loss += weight * SoftmaxCrossEntropy(row, i, dLogits.AsSpan(i * n, n), weight / b);
        }
        if (Symmetric)
        {
            // positive i vs anchors k: logits[k, i] (the first candidate block, transposed); the mask is symmetric.
            var row = new float[b]; var g = new float[b];
            for (int i = 0; i < b; i++)
            {
                for (int k = 0; k < b; k++) row[k] = logits[k * n + i];
                loss += weight * SoftmaxCrossEntropy(row, i, g, weight / b);
                for (int k = 0; k < b; k++) dLogits[k * n + i] += g[k];
            }
        }
        loss /= b;

        // back through the scaled cosine matrix
        var dan = new Matrix(b, d); var dcn = new Matrix[nc];
        for (int c = 0; c < nc; c++) dcn[c] = new Matrix(b, d);
        for (int i = 0; i < b; i++)
            for (int c = 0; c < nc; c++)
                for (int k = 0; k < b; k++)
                {
                    float g = Scale * dLogits[i * n + c * b + k];
                    if (g == 0f) continue;
                    TensorPrimitives.MultiplyAdd(cn[c].Row(k), g, dan.Row(i), dan.Row(i));
                    TensorPrimitives.MultiplyAdd(an.Row(i), g, dcn[c].Row(k), dcn[c].Row(k));
                }
        var grads = LossMath.ZeroGradients(cols);
        LossMath.NormalizeBackward(an, aNorm, dan, grads[0]);
        for (int c = 0; c < nc; c++) LossMath.NormalizeBackward(cn[c], cNorm[c], dcn[c], grads[c + 1]);
        return new LossResult { Loss = (float)loss, Gradients = grads };
    }

    /// <summary>
    /// −log softmax(row)[target]; writes <c>gradScale · (softmax − onehot)</c> into <paramref name="grad"/>.
    /// Masked entries are −∞ and get zero gradient.
    /// </summary>
    internal static double SoftmaxCrossEntropy(ReadOnlySpan<float> row, int target, Span<float> grad, float gradScale)
    {
        float max = float.NegativeInfinity;
        foreach (var v in row) if (v > max) max = v;
        double sum = 0;
        for (int j = 0; j < row.Length; j++) sum += Math.Exp(row[j] - max);
        double logZ = max + Math.Log(sum);
        for (int j = 0; j < row.Length; j++)
            grad[j] = (float)(gradScale * (Math.Exp(row[j] - logZ) - (j == target ? 1 : 0)));
        return logZ - row[target];
    }
}
