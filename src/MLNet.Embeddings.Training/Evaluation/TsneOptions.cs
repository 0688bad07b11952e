namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>Settings of <see cref="Tsne"/>; defaults follow scikit-learn's TSNE.</summary>
public sealed class TsneOptions
{
    /// <summary>Effective number of neighbours. Default 30; lowered to (n − 1) / 3 for small inputs.</summary>
    public double Perplexity { get; set; } = 30;
    /// <summary>Gradient-descent iterations in all. Default 1000.</summary>
    public int Iterations { get; set; } = 1000;
    /// <summary>Factor on P during the first <see cref="ExaggerationIterations"/>. Default 12.</summary>
    public double EarlyExaggeration { get; set; } = 12;
    /// <summary>Iterations with exaggeration (and momentum 0.5; 0.8 afterwards). Default 250.</summary>
    public int ExaggerationIterations { get; set; } = 250;
    /// <summary>Step size; null picks max(n / exaggeration / 4, 50) as scikit-learn's "auto".</summary>
    public double? LearningRate { get; set; }
    /// <summary>Distance between input vectors. Default euclidean.</summary>
    public ProjectionMetric Metric { get; set; } = ProjectionMetric.Euclidean;
    /// <summary>Seed of the random initial layout. Default 42.</summary>
    public int Seed { get; set; } = 42;
}
