namespace MLNet.Embeddings.Tests.Tokenization;

/// <summary>Locates the repository root (the folder with MLNet.Embeddings.sln) and the shared data beside it.</summary>
internal static class TestPaths
{
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "MLNet.Embeddings.sln"))) return dir.FullName;
            throw new InvalidOperationException($"MLNet.Embeddings.sln not found above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>A path under ../shared/data; fails clearly when the shared data is not there.</summary>
    public static string SharedData(string relative)
    {
        string path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data", relative));
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new InvalidOperationException($"shared data missing: {path} (expected ../shared/data beside the repository)");
        return path;
    }

    public static string Fixture(string relative) => Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);
}
