namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// KL-divergence distillation over each query's candidates, as FlagEmbedding trains bge from reranker scores
/// (Xiao et al. 2023, "C-Pack: Packaged Resources To Advance General Chinese Embedding"); Hinton et al. 2015,
/// "Distilling the Knowledge in a Neural Network".
/// </summary>
/// <remarks>
/// Input: (query, positive, negatives…, teacher scores = pos_scores then neg_scores). Per row, the teacher's
/// distribution <c>softmax(teacher / TeacherTemperature)</c> over the row's own candidates is the target for the
/// student's <c>softmax(Scale · cos(q, candidate))</c>; the loss is <c>KL(teacher ‖ student)</c> averaged over rows
/// (torch <c>kl_div(..., reduction="batchmean")</c>; its gradient equals FlagEmbedding's cross-entropy form).
/// </remarks>
public sealed class DistillKLDivLoss : ILoss
{
    /// <summary>Multiplier of the student's cosine scores (1/temperature; default 20).</summary>
    public float Scale { get; init; } = 20f;
    /// <summary>Temperature of the teacher's softmax (default 1).</summary>
    public float TeacherTemperature { get; init; } = 1f;

    /// <inheritdoc />
    public string Name => "distill";
    /// <inheritdoc />
    public LossColumns Columns => LossColumns.Anchor | LossColumns.Positive | LossColumns.Negatives | LossColumns.TeacherScores;

    /// <inheritdoc />
    public LossResult Compute(LossInput input)
    {
        LossMath.CheckColumns(input, Name, 2);
        var cols = input.Columns;
        int b = cols[0].Rows, m = cols.Count - 1;
        var t = input.TeacherScores ?? throw new ArgumentException($"Loss '{Name}' needs teacher scores.");
        if (t.Rows != b || t.Cols != m) throw new ArgumentException($"Loss '{Name}': teacher scores are {t.Rows}×{t.Cols}, expected {b}×{m}.");
        var sims = new Similarity[m];
        for (int c = 0; c < m; c++) sims[c] = new Similarity(true, cols[0], cols[c + 1]);
        var gs = new float[m][];
        for (int c = 0; c < m; c++) gs[c] = new float[b];
        double loss = 0;
        var s = new double[m]; var p = new double[m];
        for (int i = 0; i < b; i++)
        {
            for (int c = 0; c < m; c++) { s[c] = (double)Scale * sims[c].Values[i]; p[c] = t[i, c] / (double)TeacherTemperature; }
            double ls = LogSumExp(s), lp = LogSumExp(p);
            for (int c = 0; c < m; c++)
            {
                double logT = p[c] - lp, logS = s[c] - ls, tc = Math.Exp(logT);
                loss += tc * (logT - logS);
                gs[c][i] = (float)((Math.Exp(logS) - tc) * Scale / b);
            }
        }
        var grads = LossMath.ZeroGradients(cols);
        for (int c = 0; c < m; c++) sims[c].Backward(gs[c], grads[0], grads[c + 1]);
        return new LossResult { Loss = (float)(loss / b), Gradients = grads };
    }

    static double LogSumExp(double[] x)
    {
        double max = x.Max(), sum = 0;
        foreach (var v in x) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }
}
