using System.Text.Json;

namespace MLNet.Embeddings.Packages.Tests;

/// <summary>
/// Packs every library under src/ once per test run into a temporary folder feed, with a version of its own
/// (0.0.0-pkgtest.TIMESTAMP) so that the machine's global packages folder never serves a stale copy; builds go to a
/// temporary artifacts folder, so the checkout's bin/obj are untouched. On dispose the feed and this version's
/// folders in the global packages folder are deleted.
/// </summary>
public sealed class PackageFeed : IDisposable
{
    /// <summary>The repository root (the folder of MLNet.Embeddings.sln).</summary>
    public string RepoRoot { get; }
    /// <summary>A temporary folder for this run: feed/, artifacts/, apps/.</summary>
    public string Root { get; }
    /// <summary>The folder feed holding the .nupkg and .snupkg files.</summary>
    public string Feed => Path.Combine(Root, "feed");
    /// <summary>The version every package was packed with.</summary>
    public string Version { get; }
    /// <summary>The package ids packed (the library project names).</summary>
    public IReadOnlyList<string> Ids { get; }
    /// <summary>What <c>dotnet pack</c> printed.</summary>
    public string PackOutput { get; }

    public PackageFeed()
    {
        RepoRoot = FindRepoRoot();
        Version = "0.0.0-pkgtest." + DateTime.UtcNow.ToString("yyyyMMddHHmmss");
        Root = Path.Combine(Path.GetTempPath(), "mlnet-packages-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Root);
        // The libraries (not the tool, whose package carries ONNX Runtime's natives): a solution filter over the .sln.
        var projects = LibraryProjects(RepoRoot).Select(p => Path.GetRelativePath(RepoRoot, p)).ToList();
        Ids = projects.Select(p => Path.GetFileNameWithoutExtension(p)).ToList();
        string slnf = Path.Combine(Root, "libraries.slnf");
        File.WriteAllText(slnf, JsonSerializer.Serialize(new { solution = new { path = Path.Combine(RepoRoot, "MLNet.Embeddings.sln"), projects } }));
        PackOutput = Dotnet.Run(Root, "dotnet", "pack", slnf, "-c", "Release", "-o", Feed, "--nologo",
            "-p:Version=" + Version, "-p:UseArtifactsOutput=true", "-p:ArtifactsPath=" + Path.Combine(Root, "artifacts"));
    }

    /// <summary>Every src/*/*.csproj that is a library (not an Exe).</summary>
    public static IEnumerable<string> LibraryProjects(string repoRoot) =>
        Directory.EnumerateDirectories(Path.Combine(repoRoot, "src"))
            .Select(d => Path.Combine(d, Path.GetFileName(d) + ".csproj"))
            .Where(File.Exists)
            .Where(p => !File.ReadAllText(p).Contains("<OutputType>Exe</OutputType>"))
            .OrderBy(p => p, StringComparer.Ordinal);

    static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln"))) return d.FullName;
        throw new InvalidOperationException("MLNet.Embeddings.sln not found above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        string global = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in Ids)
        {
            string dir = Path.Combine(global, id.ToLowerInvariant(), Version);
            try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

[CollectionDefinition("feed")]
public sealed class FeedCollection : ICollectionFixture<PackageFeed>;
