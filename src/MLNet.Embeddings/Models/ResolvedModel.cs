namespace MLNet.Embeddings.Models;

/// <summary>
/// A model name turned into a local folder (or file) by <see cref="ModelResolver"/>.
/// </summary>
/// <param name="Source">Where it came from: <c>local</c>, <c>nuget</c>, <c>hf</c>, or a registered source's name.</param>
/// <param name="Id">The id within that source (the path, the package id, the Hub repo id).</param>
/// <param name="Revision">The exact version or commit resolved (null for a local path).</param>
/// <param name="Path">The local folder or file to load.</param>
public sealed record ResolvedModel(string Source, string Id, string? Revision, string Path)
{
    /// <summary>
    /// A name that resolves to exactly this model again on another machine: the local path as given, or the
    /// source's form with the revision pinned (<c>nuget:ID@VERSION</c>, <c>ORG/NAME@COMMIT</c>).
    /// </summary>
    public string PinnedName => Source switch
    {
        "local" => Path,
        "hf" => Revision is null ? Id : $"{Id}@{Revision}",
        _ => Revision is null ? $"{Source}:{Id}" : $"{Source}:{Id}@{Revision}",
    };

    /// <summary>Loads the model at <see cref="Path"/> (see <see cref="SentenceEncoder.Load"/>); a model from a source keeps this name as <see cref="SentenceEncoder.SourceName"/>.</summary>
    public SentenceEncoder Load() => SentenceEncoder.LoadResolved(this);

    /// <summary>True when the name was a local path (nothing was resolved).</summary>
    public bool IsLocal => Source == "local";
}
