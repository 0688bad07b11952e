using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// Matryoshka representation learning: Kusupati et al. 2022, "Matryoshka Representation Learning";
/// sentence-transformers' <c>MatryoshkaLoss</c>.
/// </summary>
/// <remarks>
/// Wraps another loss and applies it to the first <c>d</c> dimensions of every embedding for each of
/// <see cref="Dimensions"/>, so truncated vectors stay useful. The columns are truncated before the inner loss
/// normalises them (cosine); the loss is <c>Σ weight_d · inner(truncated_d)</c> and each gradient is added
/// back into the first <c>d</c> columns of the full matrix.
/// </remarks>
public sealed class MatryoshkaLoss : ILoss
{
    readonly ILoss _inner;

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="weights"/> defaults to 1 for each dimension.</summary>
    public MatryoshkaLoss(ILoss inner, IReadOnlyList<int> dimensions, IReadOnlyList<float>? weights = null)
    {
        if (dimensions.Count == 0) throw new ArgumentException("Matryoshka needs at least one dimension.", nameof(dimensions));
        if (weights is not null && weights.Count != dimensions.Count)
            throw new ArgumentException($"{weights.Count} weights for {dimensions.Count} dimensions.", nameof(weights));
        foreach (var d in dimensions) ArgumentOutOfRangeException.ThrowIfLessThan(d, 1, nameof(dimensions));
        _inner = inner; Dimensions = dimensions.ToArray();
        Weights = weights?.ToArray() ?? Enumerable.Repeat(1f, dimensions.Count).ToArray();
    }

    /// <summary>The inner loss.</summary>
    public ILoss Inner => _inner;
    /// <summary>Output dimensions trained (e.g. 768, 512, 256, 128, 64).</summary>
    public IReadOnlyList<int> Dimensions { get; }
    /// <summary>Weight of each dimension's loss.</summary>
    public IReadOnlyList<float> Weights { get; }

    /// <inheritdoc />
    public string Name => "matryoshka-" + _inner.Name;
    /// <inheritdoc />
    public LossColumns Columns => _inner.Columns;

    /// <inheritdoc />
    public LossResult Compute(LossInput input)
    {
        var cols = input.Columns;
        int full = cols[0].Cols;
        var grads = LossMath.ZeroGradients(cols);
        double loss = 0;
        for (int di = 0; di < Dimensions.Count; di++)
        {
            int d = Dimensions[di];
            if (d > full) throw new ArgumentException($"Matryoshka dimension {d} exceeds the embedding width {full}.");
            var cut = new Matrix[cols.Count];
            for (int c = 0; c < cols.Count; c++)
            {
                cut[c] = new Matrix(cols[c].Rows, d);
                for (int r = 0; r < cols[c].Rows; r++) cols[c].Row(r)[..d].CopyTo(cut[c].Row(r));
            }
            var res = _inner.Compute(new LossInput { Columns = cut, Labels = input.Labels, TeacherScores = input.TeacherScores, TextIds = input.TextIds });
            float w = Weights[di];
            loss += w * res.Loss;
            for (int c = 0; c < cols.Count; c++)
                for (int r = 0; r < cols[c].Rows; r++)
                {
                    var g = grads[c].Row(r); ReadOnlySpan<float> gi = res.Gradients[c].Row(r);
                    for (int k = 0; k < d; k++) g[k] += w * gi[k];
                }
        }
        return new LossResult { Loss = (float)loss, Gradients = grads };
    }
}
