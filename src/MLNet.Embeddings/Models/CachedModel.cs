namespace MLNet.Embeddings.Models;

/// <summary>One model a source holds in its cache (what <c>mlnet-embed models list</c> prints).</summary>
/// <param name="Source">The source (<c>hf</c>, <c>nuget</c> …).</param>
/// <param name="Id">The id within the source.</param>
/// <param name="Revision">The commit or version cached.</param>
/// <param name="SizeBytes">Bytes on disk (files reached through links counted once per file).</param>
/// <param name="Path">The folder to load.</param>
public sealed record CachedModel(string Source, string Id, string Revision, long SizeBytes, string Path);
