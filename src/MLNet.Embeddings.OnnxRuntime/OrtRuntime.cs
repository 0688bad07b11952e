using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using MLNet.Embeddings.OnnxRuntime.Native;

namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>
/// A loaded ONNX Runtime native library: its version, where it was found and which execution providers it has.
/// One instance per library file, shared by every session of the process (ORT wants one environment per process).
/// </summary>
/// <remarks>
/// The library is looked for, in order: an explicit path (file or folder); the <c>MLNET_ONNXRUNTIME_PATH</c>
/// environment variable (file or folder); <c>runtimes/&lt;rid&gt;/native/</c> next to the application, where the
/// official Microsoft.ML.OnnxRuntime(.Gpu) packages place it; then the system loader (<c>onnxruntime</c>,
/// <c>libonnxruntime.so.1</c>). When none works, the error lists every place tried and why it failed.
/// </remarks>
public sealed unsafe class OrtRuntime
{
    /// <summary>Environment variable naming the library file (or its folder).</summary>
    public const string EnvironmentVariable = "MLNET_ONNXRUNTIME_PATH";

    static readonly ConcurrentDictionary<string, OrtRuntime> Loaded = new(StringComparer.Ordinal);
    static readonly object Gate = new();

    readonly IntPtr _env, _cpuMemory;

    OrtRuntime(OrtApi api, string foundBy)
    {
        Api = api; FoundBy = foundBy;
        IntPtr env, memory;
        fixed (byte* id = "mlnet-embeddings\0"u8)
            api.Check(api.CreateEnv(3 /* ORT_LOGGING_LEVEL_ERROR */, id, &env), "CreateEnv");
        api.Check(api.CreateCpuMemoryInfo(1 /* OrtArenaAllocator */, 0 /* OrtMemTypeDefault */, &memory), "CreateCpuMemoryInfo");
        _env = env; _cpuMemory = memory;
        AvailableProviders = ReadProviders(api);
        BuildInfo = Marshal.PtrToStringUTF8((IntPtr)api.GetBuildInfoString()) ?? "";
        // The environment and memory info live as long as the process: sessions may be released in any order.
    }

    internal OrtApi Api { get; }
    internal IntPtr Env => _env;
    internal IntPtr CpuMemoryInfo => _cpuMemory;

    /// <summary>ONNX Runtime version, e.g. <c>1.30.0</c>.</summary>
    public string Version => Api.VersionString;
    /// <summary>The C API version requested from the library.</summary>
    public uint ApiVersion => Api.ApiVersion;
    /// <summary>The library file that was loaded (or the name given to the system loader).</summary>
    public string LibraryPath => Api.LibraryPath;
    /// <summary>How the library was found: option, environment variable, runtimes folder or system loader.</summary>
    public string FoundBy { get; }
    /// <summary>Execution providers compiled into this build, e.g. <c>CPUExecutionProvider</c>, <c>CUDAExecutionProvider</c>.</summary>
    public IReadOnlyList<string> AvailableProviders { get; }
    /// <summary>ORT's build information string.</summary>
    public string BuildInfo { get; }
    /// <summary>Whether the CUDA execution provider is compiled in.</summary>
    public bool HasCuda => AvailableProviders.Contains("CUDAExecutionProvider");

    /// <summary>Loads (once per process and file) the ONNX Runtime library; throws <see cref="OrtException"/> listing the places tried.</summary>
    public static OrtRuntime Load(string? libraryPath = null)
    {
        if (TryLoad(libraryPath, out var runtime, out var error)) return runtime!;
        throw new OrtException(error);
    }

    /// <summary>Like <see cref="Load"/>, but returns false with the reason instead of throwing.</summary>
    public static bool TryLoad(string? libraryPath, out OrtRuntime? runtime, out string error)
    {
        var tried = new List<string>();
        foreach (var (candidate, source) in Candidates(libraryPath))
        {
            if (Loaded.TryGetValue(candidate, out runtime)) { error = ""; return true; }
            bool isName = source == "system loader";
            if (!isName && !File.Exists(candidate)) { tried.Add($"{candidate} ({source}): not found"); continue; }
            if (!NativeLibrary.TryLoad(candidate, typeof(OrtRuntime).Assembly, isName ? DllImportSearchPath.SafeDirectories | DllImportSearchPath.AssemblyDirectory : null, out var handle))
            {
                tried.Add($"{candidate} ({source}): {(isName ? "not found by the system loader" : "exists but could not be loaded (wrong architecture or missing dependency?)")}");
                continue;
            }
            if (!NativeLibrary.TryGetExport(handle, "OrtGetApiBase", out var getApiBase))
            {
                tried.Add($"{candidate} ({source}): loaded, but it has no OrtGetApiBase export (not ONNX Runtime?)");
                continue;
            }
            lock (Gate)
            {
                if (Loaded.TryGetValue(candidate, out runtime)) { error = ""; return true; }
                var apiBase = ((delegate* unmanaged<IntPtr*>)getApiBase)();
                var getApi = (delegate* unmanaged<uint, IntPtr>)apiBase[0];
                var getVersion = (delegate* unmanaged<byte*>)apiBase[1];
                string version = Marshal.PtrToStringUTF8((IntPtr)getVersion()) ?? "?";
                IntPtr table = getApi(OrtApi.MinimumApiVersion);
                if (table == IntPtr.Zero)
                {
                    error = $"ONNX Runtime {version} at {candidate} ({source}) is too old: it does not serve C API version {OrtApi.MinimumApiVersion}; "
                        + "ONNX Runtime 1.16 or newer is needed (1.30 is tested).";
                    runtime = null;
                    return false;
                }
                runtime = new OrtRuntime(new OrtApi(table, OrtApi.MinimumApiVersion, version, candidate), source);
                Loaded[candidate] = runtime;
                error = "";
                return true;
            }
        }
        runtime = null;
        error = "ONNX Runtime native library not found. Tried:\n  " + string.Join("\n  ", tried)
            + $"\nInstall the Microsoft.ML.OnnxRuntime (or .Gpu) package, or point {EnvironmentVariable} (or OnnxOptions.LibraryPath) at {LibraryFileNames()[0]}.";
        return false;
    }

    /// <summary>The places <see cref="Load"/> tries, in order, with where each comes from.</summary>
    public static IReadOnlyList<(string Path, string Source)> Candidates(string? libraryPath)
    {
        var list = new List<(string, string)>();
        void AddPathOrFolder(string value, string source)
        {
            if (Directory.Exists(value))
                foreach (var name in LibraryFileNames()) list.Add((Path.GetFullPath(Path.Combine(value, name)), source));
            else list.Add((Path.GetFullPath(value), source));
        }
        if (!string.IsNullOrWhiteSpace(libraryPath)) AddPathOrFolder(libraryPath, "option");
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) AddPathOrFolder(env, EnvironmentVariable);
        foreach (var rid in RuntimeIdentifiers())
            foreach (var name in LibraryFileNames())
                list.Add((Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", name), "runtimes folder"));
        foreach (var name in LibraryFileNames()) list.Add((name, "system loader"));
        list.Add(("onnxruntime", "system loader"));
        return list.Distinct().ToList();
    }

    static string[] LibraryFileNames()
    {
        if (OperatingSystem.IsWindows()) return ["onnxruntime.dll"];
        if (OperatingSystem.IsMacOS()) return ["libonnxruntime.dylib"];
        return ["libonnxruntime.so", "libonnxruntime.so.1"];
    }

    static IEnumerable<string> RuntimeIdentifiers()
    {
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        yield return $"{os}-{arch}";
        if (RuntimeInformation.RuntimeIdentifier != $"{os}-{arch}") yield return RuntimeInformation.RuntimeIdentifier;
    }

    static IReadOnlyList<string> ReadProviders(OrtApi api)
    {
        byte** names; int count;
        api.Check(api.GetAvailableProviders(&names, &count), "GetAvailableProviders");
        var result = new string[count];
        for (int i = 0; i < count; i++) result[i] = Marshal.PtrToStringUTF8((IntPtr)names[i]) ?? "";
        api.Check(api.ReleaseAvailableProviders(names, count), "ReleaseAvailableProviders");
        return result;
    }

    /// <summary>Raw access for tests: asks the library's GetApi for <paramref name="version"/> and says whether it answered.</summary>
    internal static bool ServesApiVersion(string libraryPath, uint version)
    {
        var handle = NativeLibrary.Load(libraryPath);
        var apiBase = ((delegate* unmanaged<IntPtr*>)NativeLibrary.GetExport(handle, "OrtGetApiBase"))();
        return ((delegate* unmanaged<uint, IntPtr>)apiBase[0])(version) != IntPtr.Zero;
    }
}
