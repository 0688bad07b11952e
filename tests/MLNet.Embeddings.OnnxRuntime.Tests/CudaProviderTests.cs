using MLNet.Embeddings.OnnxRuntime;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>
/// The CUDA paths that can be checked without a GPU: the CPU package's refusal, the opt-in fallback, and the message
/// for a GPU package whose CUDA libraries are missing (ORT's own text, as the Gpu 1.32.0 package prints it).
/// </summary>
public class CudaProviderTests
{
    [Fact]
    public void Cuda_on_the_cpu_package_says_to_use_the_gpu_package()
    {
        var options = OrtTestEnvironment.Options();
        options.Device = OrtDevice.Cuda;
        var ex = Assert.Throws<OrtException>(() => OrtSession.Open(OrtTestEnvironment.Fixture("add.onnx"), options));
        Assert.Contains("CPU-only", ex.Message);
        Assert.Contains("CPUExecutionProvider", ex.Message);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu 1.32.0", ex.Message);
        Assert.Contains("CUDA 13", ex.Message);
        Assert.Contains("cuDNN 9", ex.Message);
        Assert.Contains("AllowCpuFallback", ex.Message);
    }

    [Fact]
    public void Cuda_entry_point_missing_is_mapped_to_the_same_advice()
    {
        // What the managed API throws on the CPU package when a CUDA entry point is called directly.
        var inner = new EntryPointNotFoundException("Unable to find an entry point named 'OrtSessionOptionsAppendExecutionProvider_CUDA' in shared library 'onnxruntime'.");
        var ex = CudaProvider.CpuBuild(inner);
        Assert.Same(inner, ex.InnerException);
        Assert.Contains("OrtSessionOptionsAppendExecutionProvider_CUDA", ex.Message);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", ex.Message);
    }

    [Fact]
    public void Cpu_fallback_happens_only_when_asked_and_says_why()
    {
        var options = OrtTestEnvironment.Options();
        options.Device = OrtDevice.Cuda;
        options.AllowCpuFallback = true;
        using var session = OrtSession.Open(OrtTestEnvironment.Fixture("add.onnx"), options);
        Assert.NotNull(session.CpuFallbackReason);
        Assert.Contains("CPU-only", session.CpuFallbackReason);
        var r = session.Run([OrtTensor.Float("a", [1f, 2f, 3f], 1, 3), OrtTensor.Float("b", [1f, 1f, 1f], 1, 3)])[0].AsFloats();
        Assert.Equal([2f, 3f, 4f], r);
    }

    [Fact]
    public void Missing_cuda_library_of_the_gpu_package_is_named()
    {
        // Microsoft.ML.OnnxRuntime.Gpu 1.32.0 on a machine without CUDA 13, appending the CUDA provider (captured here).
        const string ort = "[ErrorCode:Fail] /onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:2059 onnxruntime::Provider& "
            + "onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library "
            + "/app/runtimes/linux-x64/native/libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory";
        var ex = CudaProvider.Unavailable(ort, new InvalidOperationException("inner"));
        Assert.Equal(OrtErrorCode.Fail, ex.Code);
        Assert.Contains("libcublasLt.so.13 is missing", ex.Message);
        Assert.Contains("CUDA 13", ex.Message);
        Assert.Contains("cuDNN 9", ex.Message);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu 1.32.0", ex.Message);
        Assert.Contains("LD_LIBRARY_PATH", ex.Message);
        Assert.True(CudaProvider.IsCudaFailure(ort));
    }

    [Theory]
    [InlineData("Failed to load library x.so with error: libcudnn.so.9: cannot open shared object file: No such file or directory", "libcudnn.so.9")]
    [InlineData("LoadLibrary failed with error 126 \"\" when trying to load \"C:\\app\\runtimes\\win-x64\\native\\onnxruntime_providers_cuda.dll\"", "onnxruntime_providers_cuda.dll")]
    [InlineData("CUDA failure 100: no CUDA-capable device is detected", null)]
    public void The_missing_library_is_read_from_the_loader_message(string message, string? expected)
    {
        Assert.Equal(expected, CudaProvider.MissingLibrary(message));
    }

    [Fact]
    public void Cuda_settings_carry_device_and_arena_limit()
    {
        var options = new OrtSessionOptions { CudaDeviceId = 2, CudaMemoryLimit = 2L << 30, CudaProviderOptions = { ["arena_extend_strategy"] = "kSameAsRequested" } };
        var settings = CudaProvider.Settings(options);
        Assert.Equal("2", settings["device_id"]);
        Assert.Equal((2L << 30).ToString(), settings["gpu_mem_limit"]);
        Assert.Equal("kSameAsRequested", settings["arena_extend_strategy"]);
        Assert.False(CudaProvider.Settings(new OrtSessionOptions()).ContainsKey("gpu_mem_limit"));
        Assert.Throws<ArgumentOutOfRangeException>(() => CudaProvider.Settings(new OrtSessionOptions { CudaDeviceId = -1 }));
    }
}
