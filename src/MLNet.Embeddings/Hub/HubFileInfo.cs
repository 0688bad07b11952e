namespace MLNet.Embeddings.Hub;

/// <summary>What the Hub says about one file of a commit (from the HEAD of its resolve URL).</summary>
/// <param name="Etag">X-Linked-Etag (LFS: the sha256 of the content) else ETag (the git blob id), without quotes.</param>
/// <param name="Commit">X-Repo-Commit.</param>
/// <param name="Size">X-Linked-Size, else Content-Length.</param>
/// <param name="Location">Where the content is served (an absolute redirect's target), else the resolve URL.</param>
internal sealed record HubFileInfo(string Etag, string? Commit, long? Size, Uri Location);
