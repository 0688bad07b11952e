namespace MLNet.Embeddings.Training;

/// <summary>Which engine runs the forward and backward passes and the optimiser step.</summary>
public enum TrainingBackend
{
    /// <summary>Our managed kernels on the CPU (the default).</summary>
    Managed,
    /// <summary>libtorch through TorchSharp (CPU or CUDA); needs the MLNet.Embeddings.TorchSharp package.</summary>
    TorchSharp,
}
