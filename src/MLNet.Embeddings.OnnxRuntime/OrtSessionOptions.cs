namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>How an <see cref="OrtSession"/> is created: library, threads, optimisation level and execution provider.</summary>
public class OrtSessionOptions
{
    /// <summary>ONNX Runtime library file or folder; null searches (see <see cref="OrtRuntime"/>).</summary>
    public string? LibraryPath { get; set; }
    /// <summary>Threads used inside one operator; 0 lets ORT choose (one per physical core).</summary>
    public int IntraOpThreads { get; set; }
    /// <summary>Threads used to run independent operators in parallel; 0 lets ORT choose.</summary>
    public int InterOpThreads { get; set; }
    /// <summary>Graph optimisation level. Default <see cref="OrtGraphOptimization.All"/>.</summary>
    public OrtGraphOptimization GraphOptimization { get; set; } = OrtGraphOptimization.All;
    /// <summary>Execution provider. Default CPU.</summary>
    public OrtDevice Device { get; set; } = OrtDevice.Cpu;
    /// <summary>CUDA device ordinal when <see cref="Device"/> is CUDA.</summary>
    public int CudaDeviceId { get; set; }
    /// <summary>Extra CUDA provider options (keys as in ORT's docs, e.g. <c>gpu_mem_limit</c>, <c>cudnn_conv_algo_search</c>).</summary>
    public Dictionary<string, string> CudaProviderOptions { get; set; } = new();
    /// <summary>Extra session configuration entries (AddSessionConfigEntry), e.g. <c>session.intra_op.allow_spinning</c>.</summary>
    public Dictionary<string, string> ConfigEntries { get; set; } = new();
}
