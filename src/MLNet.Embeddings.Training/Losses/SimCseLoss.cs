namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// Unsupervised SimCSE: Gao, Yao and Chen 2021, "SimCSE: Simple Contrastive Learning of Sentence Embeddings".
/// </summary>
/// <remarks>
/// Needs only sentences (the anchor column). The trainer encodes each sentence twice with two different dropout
/// seeds and passes both views as columns 0 and 1; the loss is <see cref="MultipleNegativesRankingLoss"/> with
/// the second view as the positive (the other sentences of the batch are the negatives). Dropout must be on
/// (BERT's default 0.1); temperature 0.05 → <see cref="Scale"/> 20.
/// </remarks>
public sealed class SimCseLoss : IDropoutViewLoss
{
    /// <summary>Multiplier of the cosine scores (1/temperature).</summary>
    public float Scale { get; init; } = 20f;

    /// <inheritdoc />
    public string Name => "simcse";
    /// <inheritdoc />
    public LossColumns Columns => LossColumns.Anchor;

    /// <inheritdoc />
    public LossResult Compute(LossInput input)
    {
        LossMath.CheckColumns(input, Name, 2, 2);
        return new MultipleNegativesRankingLoss { Scale = Scale }.Compute(input);
    }
}
