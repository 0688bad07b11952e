namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>Where a session runs.</summary>
public enum OrtDevice
{
    /// <summary>ORT's CPU execution provider.</summary>
    Cpu,
    /// <summary>The CUDA execution provider (needs a GPU build of ONNX Runtime, CUDA and cuDNN); CPU takes what CUDA cannot run.</summary>
    Cuda,
}
