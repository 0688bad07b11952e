namespace MLNet.Embeddings.Docs.Tests;

/// <summary>
/// The folder a snippet runs in: a fresh temporary copy of the repository root's layout (each top-level entry a
/// symbolic link to the real one) with the real <c>../shared</c> beside it, so a snippet reads
/// <c>../shared/data/...</c> and repository files as in the README, and what it writes (<c>out/</c>, <c>model/</c>)
/// lands in the scratch folder, not in the checkout.
/// </summary>
public static class ScratchFolder
{
    /// <summary>Creates the folder; returns the directory to run in.</summary>
    public static string Create(string repoRoot)
    {
        string top = Path.Combine(Path.GetTempPath(), "mlnet-snippets", Guid.NewGuid().ToString("N"));
        string repo = Path.Combine(top, "repo");
        Directory.CreateDirectory(repo);
        foreach (var entry in Directory.EnumerateFileSystemEntries(repoRoot))
        {
            string name = Path.GetFileName(entry);
            if (name is ".git" or "out" or "bin" or "obj") continue;
            if (Directory.Exists(entry)) Directory.CreateSymbolicLink(Path.Combine(repo, name), entry);
            else File.CreateSymbolicLink(Path.Combine(repo, name), entry);
        }
        string shared = Path.GetFullPath(Path.Combine(repoRoot, "..", "shared"));
        if (Directory.Exists(shared)) Directory.CreateSymbolicLink(Path.Combine(top, "shared"), shared);
        return repo;
    }
}
