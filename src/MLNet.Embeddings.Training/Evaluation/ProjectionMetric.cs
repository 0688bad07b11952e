namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>How <see cref="Tsne"/> and <see cref="Umap"/> measure distance between input vectors.</summary>
public enum ProjectionMetric
{
    /// <summary>Euclidean distance.</summary>
    Euclidean,
    /// <summary>Cosine: vectors are L2-normalised first, then compared by euclidean distance (a monotone function of cosine distance).</summary>
    Cosine,
}
