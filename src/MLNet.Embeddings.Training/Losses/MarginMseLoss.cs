using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// Margin-MSE distillation: Hofstätter et al. 2020, "Improving Efficient Neural Ranking Models with Cross-Architecture
/// Knowledge Distillation"; sentence-transformers' <c>MarginMSELoss</c>.
/// </summary>
/// <remarks>
/// Input: (query, positive, negatives…, teacher scores). The student's margin <c>sim(q, p) − sim(q, n_k)</c> is
/// regressed (mean squared error) onto the teacher's margin <c>pos_score − neg_score_k</c>. The similarity is
/// the dot product by default, as in sentence-transformers.
/// </remarks>
public sealed class MarginMseLoss : ILoss
{
    /// <summary>Use cosine instead of the (default) dot product.</summary>
    public bool Cosine { get; init; }

    /// <inheritdoc />
    public string Name => "margin-mse";
    /// <inheritdoc />
    public LossColumns Columns => LossColumns.Anchor | LossColumns.Positive | LossColumns.Negatives | LossColumns.TeacherScores;

    /// <inheritdoc />
    public LossResult Compute(LossInput input)
    {
        LossMath.CheckColumns(input, Name, 3);
        var cols = input.Columns;
        int b = cols[0].Rows, k = cols.Count - 2;
        var t = input.TeacherScores ?? throw new ArgumentException($"Loss '{Name}' needs teacher scores.");
        if (t.Rows != b || t.Cols != k + 1) throw new ArgumentException($"Loss '{Name}': teacher scores are {t.Rows}×{t.Cols}, expected {b}×{k + 1}.");
        var sims = new Similarity[k + 1];
        for (int c = 0; c <= k; c++) sims[c] = new Similarity(Cosine, cols[0], cols[c + 1]);
        double loss = 0; var gs = new float[k + 1][];
        for (int c = 0; c <= k; c++) gs[c] = new float[b];
        for (int i = 0; i < b; i++)
            for (int n = 1; n <= k; n++)
            {
                float e = (sims[0].Values[i] - sims[n].Values[i]) - (t[i, 0] - t[i, n]);
                loss += (double)e * e;
                float g = 2f * e / (b * k);
                gs[0][i] += g; gs[n][i] -= g;
            }
        var grads = LossMath.ZeroGradients(cols);
        for (int c = 0; c <= k; c++) sims[c].Backward(gs[c], grads[0], grads[c + 1]);
        return new LossResult { Loss = (float)(loss / (b * k)), Gradients = grads };
    }
}

/// <summary>Row-wise dot or cosine similarity with its backward (distillation losses).</summary>
internal sealed class Similarity
{
    readonly bool _cosine; readonly Matrix _a, _b;
    readonly Matrix? _an, _bn; readonly float[]? _aN, _bN;

    public Similarity(bool cosine, Matrix a, Matrix b)
    {
        _cosine = cosine; _a = a; _b = b;
        Values = cosine ? LossMath.PairCosine(a, b, out _an, out _aN, out _bn, out _bN) : LossMath.PairDot(a, b);
    }

    public float[] Values { get; }

    public void Backward(float[] dSim, Matrix da, Matrix db)
    {
        if (_cosine) LossMath.PairCosineBackward(dSim, _an!, _aN!, _bn!, _bN!, da, db);
        else LossMath.PairDotBackward(dSim, _a, _b, da, db);
    }
}
