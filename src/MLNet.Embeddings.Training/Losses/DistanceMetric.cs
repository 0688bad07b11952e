namespace MLNet.Embeddings.Training.Losses;

/// <summary>Distance between two embeddings used by the margin losses (triplet, contrastive).</summary>
public enum DistanceMetric
{
    /// <summary><c>1 − cos(a, b)</c>.</summary>
    Cosine,
    /// <summary><c>‖a − b + 1e-6‖₂</c> (torch.nn.functional.pairwise_distance).</summary>
    Euclidean,
}
