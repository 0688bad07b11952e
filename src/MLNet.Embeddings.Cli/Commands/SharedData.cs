namespace MLNet.Embeddings.Cli.Commands;

/// <summary>Finds the project's shared data folder (<c>../shared/data</c> beside the checkout) for built-in defaults.</summary>
internal static class SharedData
{
    /// <summary>The first <c>shared/data</c> folder found walking up from the working directory and from the program's folder, or null.</summary>
    public static string? Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        return null;
    }
}
