using System.Collections.Concurrent;
using System.Reflection;

namespace MLNet.Embeddings.ML;

/// <summary>
/// The engines of embedding stages, one per <see cref="EmbeddingBackend"/>. The managed one is built in. The others
/// live in their own packages (MLNet.Embeddings.ML.OnnxRuntime, MLNet.Embeddings.ML.TorchSharp): a referenced package
/// is found on first use (also when a saved pipeline is loaded), or <see cref="Register"/> adds an engine explicitly.
/// </summary>
public static class EmbeddingStageBackends
{
    static readonly ConcurrentDictionary<EmbeddingBackend, IEmbeddingStageBackend> Registered = new() { [EmbeddingBackend.Managed] = new ManagedStageBackend() };

    /// <summary>Adds (or replaces) the engine for <see cref="IEmbeddingStageBackend.Backend"/>.</summary>
    public static void Register(IEmbeddingStageBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        Registered[backend.Backend] = backend;
    }

    /// <summary>Whether an engine for <paramref name="backend"/> is registered or its package can be found.</summary>
    public static bool IsAvailable(EmbeddingBackend backend) => Find(backend) is not null;

    /// <summary>The package that holds the engine for <paramref name="backend"/>.</summary>
    public static string PackageOf(EmbeddingBackend backend) => backend switch
    {
        EmbeddingBackend.Onnx => "MLNet.Embeddings.ML.OnnxRuntime",
        EmbeddingBackend.TorchSharp => "MLNet.Embeddings.ML.TorchSharp",
        _ => "MLNet.Embeddings.ML",
    };

    /// <summary>The engine for <paramref name="backend"/>, or an error that names the package to add.</summary>
    internal static IEmbeddingStageBackend Get(EmbeddingBackend backend) => Find(backend)
        ?? throw new ConfigurationException(nameof(ApplyEmbeddingOptions.Backend),
            $"the {backend} engine of embedding stages is in the {PackageOf(backend)} package, which this application does not load: add a reference to it" +
            (backend == EmbeddingBackend.Onnx ? " (and Microsoft.ML.OnnxRuntime for the natives)." : backend == EmbeddingBackend.TorchSharp ? " (and a libtorch native package)." : "."));

    static IEmbeddingStageBackend? Find(EmbeddingBackend backend)
    {
        if (Registered.TryGetValue(backend, out var found)) return found;
        Assembly assembly;
        try { assembly = Assembly.Load(new AssemblyName(PackageOf(backend))); }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException) { return null; }
        foreach (var type in assembly.GetExportedTypes())
            if (typeof(IEmbeddingStageBackend).IsAssignableFrom(type) && !type.IsAbstract && type.GetConstructor(Type.EmptyTypes) is not null
                && Activator.CreateInstance(type) is IEmbeddingStageBackend candidate && candidate.Backend == backend)
                return Registered.GetOrAdd(backend, candidate);
        return null;
    }

    /// <summary>Test seam: forgets a found or registered engine (never the managed one).</summary>
    internal static void Forget(EmbeddingBackend backend)
    {
        if (backend != EmbeddingBackend.Managed) Registered.TryRemove(backend, out _);
    }
}
