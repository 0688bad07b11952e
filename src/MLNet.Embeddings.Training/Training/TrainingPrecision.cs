namespace MLNet.Embeddings.Training;

/// <summary>Arithmetic of the matrix products during training. Weights, optimiser state and reductions stay float32.</summary>
public enum TrainingPrecision
{
    /// <summary>float32 everywhere (the default; the only choice on the CPU).</summary>
    Float32,
    /// <summary>bfloat16 matrix products (autocast), TorchSharp on CUDA only.</summary>
    BFloat16,
    /// <summary>float16 matrix products (autocast) with dynamic loss scaling, TorchSharp on CUDA only.</summary>
    Float16,
}
