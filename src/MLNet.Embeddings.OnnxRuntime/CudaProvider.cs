using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>Appends ORT's CUDA execution provider and turns each way it can fail into a message that says what to install.</summary>
internal static partial class CudaProvider
{
    /// <summary>The package, CUDA and cuDNN that ONNX Runtime 1.32's CUDA provider is built against.</summary>
    internal const string Requirement = "Microsoft.ML.OnnxRuntime.Gpu 1.32.0 with CUDA 13.x and cuDNN 9 (and an NVIDIA driver for CUDA 13)";

    const string Alternatives = "Or run on the CPU (OnnxOptions.Device = Cpu, --device cpu), or let it fall back to the CPU "
        + "(OnnxOptions.AllowCpuFallback = true, --cpu-fallback).";

    public static void Append(SessionOptions so, OrtSessionOptions options)
    {
        // The CPU package has no CUDA provider compiled in: say so before any native call.
        if (!OrtSession.AvailableProviders.Contains("CUDAExecutionProvider")) throw CpuBuild(null);
        var settings = new Dictionary<string, string>(options.CudaProviderOptions) { ["device_id"] = options.CudaDeviceId.ToString() };
        if (options.CudaMemoryLimit > 0) settings["gpu_mem_limit"] = options.CudaMemoryLimit.ToString();
        try
        {
            using var cuda = new OrtCUDAProviderOptions();
            cuda.UpdateOptions(settings);
            so.AppendExecutionProvider_CUDA(cuda);
        }
        catch (EntryPointNotFoundException e) { throw CpuBuild(e); }
        catch (OnnxRuntimeException e) { throw Unavailable(e); }
    }

    /// <summary>The native library is the CPU build (Microsoft.ML.OnnxRuntime): its CUDA entry points are missing.</summary>
    internal static OrtException CpuBuild(Exception? inner)
        => new($"CUDA was requested (OnnxOptions.Device = Cuda, --device cuda), but the ONNX Runtime {OrtSession.Version} native library "
            + $"in use is a CPU-only build (providers: {string.Join(", ", OrtSession.AvailableProviders)}), as in the Microsoft.ML.OnnxRuntime package"
            + (inner is null ? "" : $" ({inner.Message})")
            + $". Reference {Requirement} instead (the CLI: build with -p:OnnxRuntimePackage=Gpu). {Alternatives}", inner);

    /// <summary>The GPU build is there but its CUDA provider cannot start: a missing CUDA/cuDNN library, no GPU, a bad option.</summary>
    internal static OrtException Unavailable(OnnxRuntimeException e)
    {
        var ort = OrtSession.Wrap(e, "AppendExecutionProvider_CUDA");
        var missing = MissingLibrary(ort.OrtMessage);
        var what = missing is null
            ? $"the CUDA execution provider could not start: {ort.OrtMessage}"
            : $"the CUDA execution provider could not be loaded because {missing} is missing (ORT: {ort.OrtMessage.Trim()})";
        return new OrtException(ort.Operation, ort.Code,
            $"{what}. It needs {Requirement}, their libraries on the loader path (LD_LIBRARY_PATH on Linux, PATH on Windows) "
            + $"and a visible GPU (OnnxOptions.CudaDeviceId = {{id}}). {Alternatives}", e);
    }

    /// <summary>Whether an error from creating a session with CUDA appended comes from CUDA (so the CPU fallback applies).</summary>
    internal static bool IsCudaFailure(string message)
        => message.Contains("CUDA", StringComparison.OrdinalIgnoreCase) || message.Contains("cudnn", StringComparison.OrdinalIgnoreCase)
            || MissingLibrary(message) is not null;

    /// <summary>
    /// The shared library the loader could not find, from ORT's text (e.g. <c>libcublasLt.so.13: cannot open shared object
    /// file</c>, or <c>... cudnn64_9.dll ... not found</c>); null when the text names none.
    /// </summary>
    internal static string? MissingLibrary(string message)
    {
        var m = LinuxMissing().Match(message);
        if (m.Success) return m.Groups[1].Value;
        m = WindowsMissing().Match(message);
        return m.Success ? m.Groups[1].Value : null;
    }

    [GeneratedRegex(@"([A-Za-z0-9_.+-]+\.so(?:\.[0-9]+)*): cannot open shared object file")]
    private static partial Regex LinuxMissing();

    [GeneratedRegex(@"([A-Za-z0-9_.+-]+\.dll)\b[^\r\n]*(?:not found|could not be found|error 126|LoadLibrary failed)", RegexOptions.IgnoreCase)]
    private static partial Regex WindowsMissing();
}
