namespace MLNet.Embeddings.Models;

/// <summary>
/// A place models come from, addressed by a prefix (<c>nuget:</c>, <c>hf:</c> …). Register one with
/// <see cref="ModelSources.Register"/>; <see cref="ModelResolver"/> hands it every name that starts with its prefix.
/// </summary>
public interface IModelSource
{
    /// <summary>The prefix without the colon, lower case (e.g. <c>nuget</c>).</summary>
    string Prefix { get; }

    /// <summary>Turns <paramref name="reference"/> (the name after the prefix) into a local model folder, downloading it when needed.</summary>
    ResolvedModel Resolve(string reference, ModelResolveOptions options, CancellationToken cancellationToken);

    /// <summary>The models this source has cached on this machine.</summary>
    IEnumerable<CachedModel> ListCached(ModelResolveOptions options);
}
