using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// Cosine similarity loss: mean squared error between <c>cos(a, b)</c> and a gold score in 0..1. Reimers and
/// Gurevych 2019, "Sentence-BERT"; sentence-transformers' <c>CosineSimilarityLoss</c>.
/// </summary>
/// <remarks>Input: (sentence1, sentence2, score) with the score scaled to 0..1 (STS 0..5 → divide by 5).
/// Related: <see cref="CoSentLoss"/>, which usually trains better on the same data.</remarks>
public sealed class CosineSimilarityLoss : ILoss
{
    /// <inheritdoc />
    public string Name => "cosine";
    /// <inheritdoc />
    public LossColumns Columns => LossColumns.Anchor | LossColumns.Positive | LossColumns.Score;

    /// <inheritdoc />
    public LossResult Compute(LossInput input)
    {
        LossMath.CheckColumns(input, Name, 2, 2);
        var labels = LossMath.Labels(input, Name);
        var cos = LossMath.PairCosine(input.Columns[0], input.Columns[1], out var an, out var aN, out var bn, out var bN);
        int b = cos.Length;
        double loss = 0; var dcos = new float[b];
        for (int i = 0; i < b; i++)
        {
            float e = cos[i] - labels[i];
            loss += (double)e * e;
            dcos[i] = 2f * e / b;
        }
        var grads = LossMath.ZeroGradients(input.Columns);
        LossMath.PairCosineBackward(dcos, an, aN, bn, bN, grads[0], grads[1]);
        return new LossResult { Loss = (float)(loss / b), Gradients = grads };
    }
}
