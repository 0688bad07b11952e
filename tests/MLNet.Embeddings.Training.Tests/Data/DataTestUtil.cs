namespace MLNet.Embeddings.Training.Tests.Data;

/// <summary>Temp folders and shared-data lookup for data tests.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlnet-data-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name, string? content = null)
    {
        var p = System.IO.Path.Combine(Path, name);
        if (content is not null) System.IO.File.WriteAllText(p, content);
        return p;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { }
    }
}

internal static class SharedData
{
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "MLNet.Embeddings.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root (MLNet.Embeddings.sln) not found above " + AppContext.BaseDirectory);
    }

    public static string Path(string relative)
    {
        var p = System.IO.Path.GetFullPath(System.IO.Path.Combine(RepoRoot(), "..", "shared", "data", relative));
        if (!System.IO.File.Exists(p))
            throw new FileNotFoundException($"shared data file missing: {p} (expected ../shared/data/{relative} beside the repository)");
        return p;
    }

    public static string Fixture(string relative) =>
        System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "data", relative);
}
