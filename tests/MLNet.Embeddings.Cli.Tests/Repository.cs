namespace MLNet.Embeddings.Cli.Tests;

/// <summary>The checkout this test assembly was built from (the folder holding MLNet.Embeddings.sln).</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root (MLNet.Embeddings.sln) not found above " + AppContext.BaseDirectory);
    }
}
