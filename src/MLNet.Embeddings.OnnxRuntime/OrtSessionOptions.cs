namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>How an <see cref="OrtSession"/> is created: threads, optimisation level, execution provider and its limits.</summary>
public class OrtSessionOptions
{
    /// <summary>
    /// A specific ONNX Runtime native library to use instead of the one the application's Microsoft.ML.OnnxRuntime(.Gpu)
    /// package ships (a custom build). Null (the default) uses the package's. It must be set on the first session the
    /// process opens (a library, once loaded, stays) and must be ONNX Runtime 1.32.
    /// </summary>
    public string? LibraryPath { get; set; }
    /// <summary>Threads used inside one operator; 0 lets ORT choose (one per physical core).</summary>
    public int IntraOpThreads { get; set; }
    /// <summary>Threads used to run independent operators in parallel; 0 lets ORT choose.</summary>
    public int InterOpThreads { get; set; }
    /// <summary>Graph optimisation level. Default <see cref="OrtGraphOptimization.All"/>.</summary>
    public OrtGraphOptimization GraphOptimization { get; set; } = OrtGraphOptimization.All;
    /// <summary>
    /// Execution provider. Default CPU. <see cref="OrtDevice.Cuda"/> needs the Microsoft.ML.OnnxRuntime.Gpu 1.32 package,
    /// CUDA 13 and cuDNN 9; when CUDA cannot start, opening fails with the reason (see <see cref="AllowCpuFallback"/>).
    /// </summary>
    public OrtDevice Device { get; set; } = OrtDevice.Cpu;
    /// <summary>
    /// With <see cref="OrtDevice.Cuda"/>: open the session on the CPU when the CUDA provider cannot start, instead of
    /// throwing. The reason is kept in <see cref="OrtSession.CpuFallbackReason"/>. Default false (never a silent fallback).
    /// </summary>
    public bool AllowCpuFallback { get; set; }
    /// <summary>CUDA device ordinal when <see cref="Device"/> is CUDA. Default 0.</summary>
    public int CudaDeviceId { get; set; }
    /// <summary>
    /// Upper bound, in bytes, of the CUDA provider's memory arena (ORT's <c>gpu_mem_limit</c>); 0 (the default) leaves
    /// ORT's default (no limit).
    /// </summary>
    public long CudaMemoryLimit { get; set; }
    /// <summary>Extra CUDA provider options (keys as in ORT's docs, e.g. <c>arena_extend_strategy</c>, <c>cudnn_conv_algo_search</c>).</summary>
    public Dictionary<string, string> CudaProviderOptions { get; set; } = new();
    /// <summary>Extra session configuration entries (AddSessionConfigEntry), e.g. <c>session.intra_op.allow_spinning</c>.</summary>
    public Dictionary<string, string> ConfigEntries { get; set; } = new();
}
