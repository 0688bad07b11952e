namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>Settings of <see cref="Umap"/>; defaults follow umap-learn.</summary>
public sealed class UmapOptions
{
    /// <summary>Neighbourhood size, the point itself included (umap-learn's n_neighbors). Default 15.</summary>
    public int Neighbors { get; set; } = 15;
    /// <summary>Smallest distance between points in the layout. Default 0.1.</summary>
    public double MinDist { get; set; } = 0.1;
    /// <summary>Scale of the layout's distances. Default 1.</summary>
    public double Spread { get; set; } = 1.0;
    /// <summary>SGD epochs; null picks 500 for up to 10,000 points, else 200.</summary>
    public int? Epochs { get; set; }
    /// <summary>Negative samples per positive sample. Default 5.</summary>
    public int NegativeSampleRate { get; set; } = 5;
    /// <summary>Initial SGD step (decays linearly to 0). Default 1.</summary>
    public double LearningRate { get; set; } = 1.0;
    /// <summary>Weight of the repulsive term (gamma). Default 1.</summary>
    public double RepulsionStrength { get; set; } = 1.0;
    /// <summary>Spectral (Laplacian eigenmap of the graph) or uniform random initial layout. Default spectral.</summary>
    public bool SpectralInit { get; set; } = true;
    /// <summary>Distance between input vectors. Default euclidean.</summary>
    public ProjectionMetric Metric { get; set; } = ProjectionMetric.Euclidean;
    /// <summary>Seed of the initial layout noise and the negative sampling. Default 42.</summary>
    public int Seed { get; set; } = 42;
}
