namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// Cached multiple negatives ranking loss (GradCache): Gao et al. 2021, "Scaling Deep Contrastive Learning Batch
/// Size under Memory Limited Setup"; sentence-transformers' <c>CachedMultipleNegativesRankingLoss</c>.
/// </summary>
/// <remarks>
/// The same value and gradients as <see cref="MultipleNegativesRankingLoss"/>, for batches of 1024 and more in
/// bounded memory. The loss itself is unchanged; the trainer schedules the work differently: it embeds each
/// column in chunks of <see cref="MiniBatchSize"/> without keeping activations, computes this loss and its
/// gradient with respect to the embeddings once, then re-runs each chunk (same dropout seed) keeping
/// activations and pushes that chunk's slice of the gradient back. Costs one extra forward pass.
/// </remarks>
public sealed class CachedMultipleNegativesRankingLoss : IChunkedLoss
{
    readonly MultipleNegativesRankingLoss _inner;

    /// <summary>Creates the loss; <paramref name="miniBatchSize"/> texts go through the model at once (ST default 32).</summary>
    public CachedMultipleNegativesRankingLoss(int miniBatchSize = 32, float scale = 20f, bool symmetric = false, bool excludeDuplicates = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(miniBatchSize, 1);
        MiniBatchSize = miniBatchSize;
        _inner = new MultipleNegativesRankingLoss { Scale = scale, Symmetric = symmetric, ExcludeDuplicates = excludeDuplicates };
    }

    /// <summary>Texts per forward/backward chunk.</summary>
    public int MiniBatchSize { get; }
    /// <summary>Multiplier of the cosine scores (1/temperature).</summary>
    public float Scale => _inner.Scale;

    /// <inheritdoc />
    public string Name => "cached-mnrl";
    /// <inheritdoc />
    public LossColumns Columns => _inner.Columns;
    /// <inheritdoc />
    public LossResult Compute(LossInput input) => _inner.Compute(input);
}
