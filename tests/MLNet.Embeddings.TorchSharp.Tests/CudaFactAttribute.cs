namespace MLNet.Embeddings.TorchSharp.Tests;

/// <summary>A fact that runs only where libtorch sees a CUDA device; elsewhere it is skipped with the reason.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!TorchSharpBackend.TryLoad(out var reason)) Skip = "libtorch does not load: " + reason;
        else if (!TorchSharpBackend.IsCudaAvailable())
            Skip = "CUDA not available: this machine has no NVIDIA GPU/driver and the tests reference libtorch-cpu-linux-x64 "
                + "(reference TorchSharp-cuda-linux 0.107.0 instead on a CUDA machine to run these).";
    }
}
