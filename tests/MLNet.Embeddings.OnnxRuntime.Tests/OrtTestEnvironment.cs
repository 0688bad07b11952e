namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>Fixtures and session options for the tests (ONNX Runtime itself comes from the Microsoft.ML.OnnxRuntime package).</summary>
internal static class OrtTestEnvironment
{
    public static OrtSessionOptions Options(int threads = 1) => new() { IntraOpThreads = threads };

    /// <summary>
    /// Whether int8 exports in the tests use 7-bit weights. ORT's u8·s8 kernels on AVX2 without VNNI add pairs of
    /// products in saturating int16 (VPMADDUBSW), which full-range int8 weights overflow: cosine to fp32 drops to
    /// about 0.97 on such a CPU (measured here, ORT 1.30 and 1.32 alike). ReduceRange is ORT's own remedy.
    /// </summary>
    public static bool Int8ReduceRange => !System.Runtime.Intrinsics.X86.AvxVnni.IsSupported;

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
}
