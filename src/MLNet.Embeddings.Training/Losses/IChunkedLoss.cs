namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// A loss whose batch the trainer embeds in chunks of <see cref="MiniBatchSize"/> texts (GradCache): a first pass
/// keeps only the embeddings, the loss gradient is computed once, then each chunk is re-run with the same dropout
/// seed and back-propagated, so memory does not grow with the batch.
/// </summary>
public interface IChunkedLoss : ILoss
{
    /// <summary>Texts per forward/backward chunk.</summary>
    int MiniBatchSize { get; }
}
