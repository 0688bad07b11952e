namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>Where a session runs.</summary>
public enum OrtDevice
{
    /// <summary>ORT's CPU execution provider.</summary>
    Cpu,
    /// <summary>
    /// The CUDA execution provider (needs the Microsoft.ML.OnnxRuntime.Gpu package, CUDA 13 and cuDNN 9); CPU runs the
    /// operators CUDA has no kernel for.
    /// </summary>
    Cuda,
}
