namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// The numbers of a loss built by <see cref="LossFactory"/>. Null keeps the loss's own default (sentence-transformers'):
/// scale 20, triplet margin 5 (euclidean), contrastive margins 0.5, cached mini-batches of 32.
/// </summary>
public sealed class LossOptions
{
    /// <summary>Score scale, 1/temperature (mnrl, mnrl-symmetric, cached-mnrl, cosent, simcse, distill).</summary>
    public float? Scale { get; set; }
    /// <summary>Margin (triplet, contrastive, online-contrastive, batch-all-triplet, batch-hard-triplet, batch-semi-hard-triplet).</summary>
    public float? Margin { get; set; }
    /// <summary>Texts per forward chunk of cached-mnrl (GradCache).</summary>
    public int? MiniBatchSize { get; set; }
    /// <summary>Wrap the loss in Matryoshka at these dimensions (e.g. 384, 256, 128, 64); null or empty trains the full size only.</summary>
    public int[]? MatryoshkaDimensions { get; set; }
}
