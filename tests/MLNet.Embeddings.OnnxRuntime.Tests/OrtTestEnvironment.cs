using MLNet.Embeddings.OnnxRuntime;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>Finds the ONNX Runtime library and the fixtures for the tests.</summary>
internal static class OrtTestEnvironment
{
    const string NpmLibrary = ".cache/npm/ort/package/bin/napi-v6/linux/x64/libonnxruntime.so.1";

    public const string HowToGet =
        "ONNX Runtime native library not found: set MLNET_ONNXRUNTIME_PATH to libonnxruntime.so(.1)/onnxruntime.dll, "
        + "or unpack the npm package onnxruntime-node@1.30.0 so that <repo>/" + NpmLibrary + " exists "
        + "(npm install --ignore-scripts onnxruntime-node@1.30.0 --prefix .cache/npm, or .ci/run does it).";

    static readonly Lazy<string?> Library = new(Find);

    /// <summary>The library path, or null when none was found.</summary>
    public static string? LibraryPath => Library.Value;

    public static OrtSessionOptions Options(int threads = 1) => new() { LibraryPath = LibraryPath, IntraOpThreads = threads };

    public static string RepoRoot
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln"))) return d.FullName;
            throw new InvalidOperationException("Repository root (MLNet.Embeddings.sln) not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Fixture(params string[] parts)
        => Path.Combine([AppContext.BaseDirectory, "Fixtures", "onnx", .. parts]);

    static string? Find()
    {
        var env = Environment.GetEnvironmentVariable(OrtRuntime.EnvironmentVariable);
        if (!string.IsNullOrEmpty(env) && (File.Exists(env) || Directory.Exists(env))) return env;
        var places = new List<string>();
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            places.Add(Path.Combine(d.FullName, NpmLibrary));
        places.Add(Path.Combine("/work/main", NpmLibrary));
        foreach (var p in places) if (File.Exists(p)) return p;
        return OrtRuntime.TryLoad(null, out var rt, out _) ? rt!.LibraryPath : null;
    }
}

/// <summary>A fact that is skipped (with instructions) when the ONNX Runtime library cannot be found.</summary>
public sealed class OrtFactAttribute : FactAttribute
{
    public OrtFactAttribute()
    {
        if (OrtTestEnvironment.LibraryPath is null) Skip = OrtTestEnvironment.HowToGet;
    }
}
