namespace MLNet.Embeddings.ML;

/// <summary>
/// Where a reloaded pipeline saved with <see cref="ModelStorage.Reference"/> looks for its model folder, and where
/// models packed inside a zip are unpacked. ML.NET does not tell a loaded transform where its zip was, so a relative
/// reference is tried against the current directory, the application's directory and then these directories.
/// </summary>
public static class SavedModelLocator
{
    static readonly List<string> Directories = new();

    /// <summary>Extra directories searched for referenced model folders (in order, after the current and application directories).</summary>
    public static IReadOnlyList<string> SearchDirectories { get { lock (Directories) return Directories.ToArray(); } }

    /// <summary>Adds a directory to search, e.g. the folder of the zip being loaded.</summary>
    public static void AddSearchDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        lock (Directories) if (!Directories.Contains(Path.GetFullPath(directory))) Directories.Add(Path.GetFullPath(directory));
    }

    /// <summary>
    /// Where packed models are unpacked (one folder per model checksum, reused across loads):
    /// <c>MLNET_EMBEDDINGS_CACHE</c> when set, else <c>%TEMP%/mlnet-embeddings/models</c>.
    /// </summary>
    public static string CacheDirectory =>
        Environment.GetEnvironmentVariable("MLNET_EMBEDDINGS_CACHE") is { Length: > 0 } d ? d : Path.Combine(Path.GetTempPath(), "mlnet-embeddings", "models");

    internal static string Resolve(string reference)
    {
        if (Path.IsPathRooted(reference))
        {
            if (File.Exists(reference) || Directory.Exists(reference)) return reference;
            throw new ModelFormatException(reference, "the model this pipeline references is missing (saved with ModelStorage.Reference); put the model back at this path or save with ModelStorage.Embedded.");
        }
        var tried = new List<string> { Path.GetFullPath(reference), Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, reference)) };
        tried.AddRange(SearchDirectories.Select(d => Path.GetFullPath(Path.Combine(d, reference))));
        foreach (var p in tried.Distinct())
            if (File.Exists(p) || Directory.Exists(p)) return p;
        if (reference.Contains('@') && Models.ModelResolver.IsModelName(reference)) return reference; // a pinned model name: resolved again on load
        throw new ModelFormatException(reference,
            $"the model this pipeline references is missing (saved with ModelStorage.Reference); tried {string.Join(", ", tried.Distinct())}. " +
            "Keep the model folder beside the zip and load from that directory, or call SavedModelLocator.AddSearchDirectory(folderOfTheZip) before Load.");
    }
}
