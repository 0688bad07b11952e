using System.Globalization;
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
        try
        {
            using var cuda = new OrtCUDAProviderOptions();
            cuda.UpdateOptions(Settings(options));
            so.AppendExecutionProvider_CUDA(cuda);
        }
        catch (EntryPointNotFoundException e) { throw CpuBuild(e); }
        catch (OnnxRuntimeException e) { throw Unavailable(e); }
    }

    /// <summary>The CUDA provider options ORT gets: the user's extra keys, then device_id and gpu_mem_limit from the typed options.</summary>
    internal static Dictionary<string, string> Settings(OrtSessionOptions options)
    {
        if (options.CudaDeviceId < 0) throw new ArgumentOutOfRangeException(nameof(options), options.CudaDeviceId, "OrtSessionOptions.CudaDeviceId: expected 0 or more.");
        if (options.CudaMemoryLimit < 0) throw new ArgumentOutOfRangeException(nameof(options), options.CudaMemoryLimit, "OrtSessionOptions.CudaMemoryLimit: expected 0 (no limit) or a number of bytes.");
        var settings = new Dictionary<string, string>(options.CudaProviderOptions) { ["device_id"] = options.CudaDeviceId.ToString(CultureInfo.InvariantCulture) };
        if (options.CudaMemoryLimit > 0) settings["gpu_mem_limit"] = options.CudaMemoryLimit.ToString(CultureInfo.InvariantCulture);
        return settings;
    }

    /// <summary>The native library is the CPU build (Microsoft.ML.OnnxRuntime): its CUDA entry points are missing.</summary>
    internal static OrtException CpuBuild(Exception? inner)
        => new($"CUDA was requested (OnnxOptions.Device = Cuda, --device cuda), but the ONNX Runtime {OrtSession.Version} native library "
            + $"in use is a CPU-only build (providers: {string.Join(", ", OrtSession.AvailableProviders)}), as in the Microsoft.ML.OnnxRuntime package"
            + (inner is null ? "" : $" ({inner.Message})")
            + $". Reference {Requirement} instead (the CLI: build with -p:OnnxRuntimePackage=Gpu). {Alternatives}", inner);

    /// <summary>The GPU build is there but its CUDA provider cannot start: a missing CUDA/cuDNN library, no GPU, a bad option.</summary>
    internal static OrtException Unavailable(OnnxRuntimeException e) => Unavailable(e.Message, e);

    /// <summary>As <see cref="Unavailable(OnnxRuntimeException)"/>, from ORT's message text.</summary>
    internal static OrtException Unavailable(string message, Exception inner)
    {
        var ort = OrtSession.Wrap(message, "CUDA provider set-up", inner);
        var missing = MissingLibrary(ort.OrtMessage);
        var what = missing is null
            ? $"the CUDA execution provider could not start: {ort.OrtMessage}"
            : $"the CUDA execution provider could not be loaded because {missing} is missing (ORT: {ort.OrtMessage.Trim()})";
        return new OrtException(ort.Operation, ort.Code,
            $"{what}. It needs {Requirement}, their libraries on the loader path (LD_LIBRARY_PATH on Linux, PATH on Windows) "
            + $"and a visible GPU (OnnxOptions.CudaDeviceId picks which). {Alternatives}", inner);
    }

    /// <summary>Whether an error from creating a session with CUDA appended comes from CUDA (so the CPU fallback applies).</summary>
    internal static bool IsCudaFailure(string message)
        => message.Contains("CUDA", StringComparison.OrdinalIgnoreCase) || message.Contains("cudnn", StringComparison.OrdinalIgnoreCase)
            || MissingLibrary(message) is not null;

    /// <summary>
    /// The shared library the loader could not find, from ORT's text (e.g. <c>libcublasLt.so.13: cannot open shared object
    /// file</c> on Linux; on Windows ORT names the provider DLL it failed to load); null when the text names none.
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

    [GeneratedRegex(@"LoadLibrary failed with error \d+ ""[^""]*"" when trying to load ""(?:[^""]*[\\/])?([^""\\/]+\.dll)""", RegexOptions.IgnoreCase)]
    private static partial Regex WindowsMissing();
}
