using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Hub;

/// <summary>
/// Hugging Face Hub repositories, <c>ORG/NAME[@REVISION]</c> (also written <c>hf:ORG/NAME</c>), in huggingface_hub's own
/// cache so that Python and .NET share one copy. A name whose snapshot is cached resolves without a request; a
/// branch or tag is asked for again only with <see cref="ModelResolveOptions.Refresh"/>.
/// </summary>
public sealed class HubModelSource : IModelSource
{
    /// <inheritdoc />
    public string Prefix => "hf";

    /// <inheritdoc />
    public ResolvedModel Resolve(string reference, ModelResolveOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        int at = reference.IndexOf('@');
        string repoId = at < 0 ? reference : reference[..at];
        string revision = at < 0 ? "main" : reference[(at + 1)..];
        if (repoId.Split('/') is not [{ Length: > 0 } org, { Length: > 0 } model] || org is "." or ".." || model is "." or ".." || revision.Length == 0)
            throw new ModelFormatException(reference, "expected a Hugging Face repo id ORG/NAME, optionally @REVISION (a branch, tag or commit).");
        var cache = new HubCache(options.HubCache, repoId);

        string? commit = cache.CommitOf(revision);
        bool pinned = HubCache.CommitHash().IsMatch(revision);
        if (commit is not null && (pinned || !options.Refresh) && HubFiles.Complete(cache.Snapshot(commit), options))
            return new ResolvedModel("hf", repoId, commit, cache.Snapshot(commit));
        if (options.Offline)
            throw new ModelFormatException(reference,
                $"offline (HF_HUB_OFFLINE), and {repoId}@{revision} is not in the cache {cache.RepoFolder}"
                + (commit is null ? "" : $" completely (snapshot {commit} lacks the {(options.Weights == ModelWeights.Onnx ? options.OnnxFile : "safetensors weights")})")
                + $". Prefetch it where there is a network with `mlnet-embed models download {reference}` (or huggingface-cli download {repoId}) and copy {cache.Root} here, or point HF_HOME at a copy.");

        using var client = new HubClient(repoId, options);
        var (sha, files) = client.GetRevision(revision, cancellationToken);
        var progress = options.Progress ?? new StderrDownloadProgress();
        var modules = Array.Empty<string>() as IReadOnlyList<string>;
        if (files.Contains("modules.json"))
        {
            Fetch(client, cache, sha, "modules.json", reference, progress, cancellationToken);
            modules = HubFiles.ModuleFolders(cache.SnapshotFile(sha, "modules.json"));
        }
        foreach (var file in HubFiles.Select(reference, files, modules, options))
            Fetch(client, cache, sha, file, reference, progress, cancellationToken);
        cache.WriteRef(revision, sha);
        return new ResolvedModel("hf", repoId, sha, cache.Snapshot(sha));
    }

    static void Fetch(HubClient client, HubCache cache, string commit, string file, string name, IProgress<ModelDownloadProgress> progress, CancellationToken ct)
    {
        string target = cache.SnapshotFile(commit, file);
        if (File.Exists(target)) return;
        var info = client.Head(commit, file, ct);
        if (info.Commit is { } c && c != commit)
            throw new ModelFormatException($"{name}/{file}", $"asked for commit {commit}, the Hub served {c}.");
        string blob = cache.BlobFile(info.Etag);
        if (!File.Exists(blob))
        {
            Directory.CreateDirectory(cache.Blobs);
            string incomplete = blob + ".incomplete";
            client.Download(file, info, incomplete, (done, total) => progress.Report(new ModelDownloadProgress(name, file, done, total)), ct);
            File.Move(incomplete, blob, overwrite: true);
        }
        cache.Link(blob, target);
    }

    /// <inheritdoc />
    public IEnumerable<CachedModel> ListCached(ModelResolveOptions options) => HubCache.List(options.HubCache);
}
