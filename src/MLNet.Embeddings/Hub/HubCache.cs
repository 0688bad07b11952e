using System.Text.RegularExpressions;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Hub;

/// <summary>
/// huggingface_hub's cache layout, shared with Python: <c>ROOT/models--ORG--NAME/</c> holds <c>blobs/ETAG</c> (file
/// contents, named by their ETag), <c>snapshots/COMMIT/PATH</c> (links to the blobs, or copies where links cannot be
/// made) and <c>refs/REVISION</c> (the commit a branch or tag pointed to when last fetched).
/// </summary>
internal sealed partial class HubCache(string root, string repoId)
{
    [GeneratedRegex("^[0-9a-f]{40}$")]
    internal static partial Regex CommitHash();

    [GeneratedRegex("^[A-Za-z0-9_\\-]{1,128}$")]
    private static partial Regex SafeEtag();

    public string Root { get; } = Path.GetFullPath(root);
    public string RepoId { get; } = repoId;
    public string RepoFolder => Path.Combine(Root, "models--" + RepoId.Replace("/", "--"));
    public string Blobs => Path.Combine(RepoFolder, "blobs");

    /// <summary>HF_HUB_CACHE, else HF_HOME/hub, else XDG_CACHE_HOME/huggingface/hub or ~/.cache/huggingface/hub.</summary>
    public static string DefaultRoot()
    {
        if (Environment.GetEnvironmentVariable("HF_HUB_CACHE") is { Length: > 0 } c) return c;
        return Path.Combine(Home(), "hub");
    }

    static string Home()
    {
        if (Environment.GetEnvironmentVariable("HF_HOME") is { Length: > 0 } h) return h;
        string xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(xdg, "huggingface");
    }

    /// <summary>HF_TOKEN, else the token file huggingface_hub's login writes (HF_TOKEN_PATH, else HF_HOME/token).</summary>
    public static string? DefaultToken()
    {
        if (Environment.GetEnvironmentVariable("HF_TOKEN") is { Length: > 0 } t) return t.Trim();
        string file = Environment.GetEnvironmentVariable("HF_TOKEN_PATH") is { Length: > 0 } p ? p : Path.Combine(Home(), "token");
        try { return File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } s ? s : null; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public string Snapshot(string commit) => Inside(RepoFolder, Path.Combine("snapshots", commit), "commit " + commit);

    /// <summary>The commit a revision names: itself when it is a commit hash, else what refs/REVISION holds (null if never fetched).</summary>
    public string? CommitOf(string revision)
    {
        if (CommitHash().IsMatch(revision)) return revision;
        string file = RefFile(revision);
        if (!File.Exists(file)) return null;
        string commit = File.ReadAllText(file).Trim();
        return CommitHash().IsMatch(commit) ? commit : null;
    }

    public string RefFile(string revision) => Inside(RepoFolder, Path.Combine("refs", revision), "revision " + revision);

    public void WriteRef(string revision, string commit)
    {
        if (revision == commit) return;
        string file = RefFile(revision);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        if (File.Exists(file) && File.ReadAllText(file).Trim() == commit) return;
        string temp = file + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        File.WriteAllText(temp, commit);
        File.Move(temp, file, overwrite: true);
    }

    /// <summary>The path of <paramref name="file"/> (a repo path from the server) inside the snapshot; refuses names that leave it.</summary>
    public string SnapshotFile(string commit, string file)
    {
        if (file.Length == 0 || file.Contains('\\') || file.Contains('\0') || Path.IsPathRooted(file) || file.Split('/').Any(s => s is "" or "." or ".."))
            throw new ModelFormatException($"{RepoId}/{file}", "the server named a file outside the model's folder; refused.");
        return Inside(Snapshot(commit), file, "file " + file);
    }

    public string BlobFile(string etag)
    {
        if (!SafeEtag().IsMatch(etag)) throw new ModelFormatException(RepoId, $"the server sent an ETag that is not a plain hash ('{etag}'); refused.");
        return Path.Combine(Blobs, etag);
    }

    /// <summary>Places <paramref name="blob"/> at the snapshot path: a relative link as huggingface_hub makes, else a copy.</summary>
    public void Link(string blob, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(target)) return;
        string temp = target + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            File.CreateSymbolicLink(temp, Path.GetRelativePath(Path.GetDirectoryName(target)!, blob));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            File.Copy(blob, temp, overwrite: true);
        }
        File.Move(temp, target, overwrite: true);
    }

    /// <summary>Every cached snapshot (commit, folder, size) with the refs pointing at it.</summary>
    public static IEnumerable<CachedModel> List(string root)
    {
        if (!Directory.Exists(root)) yield break;
        foreach (var repo in Directory.EnumerateDirectories(root, "models--*").Order(StringComparer.Ordinal))
        {
            string id = Path.GetFileName(repo)["models--".Length..].Replace("--", "/");
            string snapshots = Path.Combine(repo, "snapshots");
            if (!Directory.Exists(snapshots)) continue;
            var refs = new Dictionary<string, List<string>>();
            string refsDir = Path.Combine(repo, "refs");
            if (Directory.Exists(refsDir))
                foreach (var f in Directory.EnumerateFiles(refsDir, "*", SearchOption.AllDirectories))
                {
                    string commit = File.ReadAllText(f).Trim();
                    if (!refs.TryGetValue(commit, out var names)) refs[commit] = names = new();
                    names.Add(Path.GetRelativePath(refsDir, f).Replace('\\', '/'));
                }
            foreach (var snap in Directory.EnumerateDirectories(snapshots).Order(StringComparer.Ordinal))
            {
                string commit = Path.GetFileName(snap);
                string revision = refs.TryGetValue(commit, out var names) ? $"{string.Join(",", names)} ({commit})" : commit;
                yield return new CachedModel("hf", id, revision, FolderSize(snap), snap);
            }
        }
    }

    /// <summary>Bytes of the files in <paramref name="folder"/>, following links to their targets.</summary>
    public static long FolderSize(string folder)
    {
        long total = 0;
        foreach (var f in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            var target = f.LinkTarget is null ? f : f.ResolveLinkTarget(returnFinalTarget: true) as FileInfo;
            if (target is { Exists: true }) total += target.Length;
        }
        return total;
    }

    static string Inside(string folder, string relative, string what)
    {
        string full = Path.GetFullPath(Path.Combine(folder, relative));
        string root = Path.GetFullPath(folder) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(root, StringComparison.Ordinal))
            throw new ModelFormatException(relative, $"{what} would leave the cache folder {folder}; refused.");
        return full;
    }
}
