namespace MLNet.Embeddings.Models;

/// <summary>One entry of a sentence-transformers <c>modules.json</c>.</summary>
/// <param name="Index">Position in the pipeline (<c>idx</c>).</param>
/// <param name="Name">Module name (<c>name</c>).</param>
/// <param name="Path">Folder relative to the model folder (<c>path</c>); "" or "." is the model folder itself.</param>
/// <param name="Type">Python class (<c>type</c>), e.g. <c>sentence_transformers.models.Pooling</c>.</param>
public sealed record ModuleEntry(int Index, string Name, string Path, string Type)
{
    /// <summary>The class name without its Python module path: <c>Transformer</c>, <c>Pooling</c>, <c>Normalize</c>, <c>StaticEmbedding</c> …</summary>
    public string Kind => Type[(Type.LastIndexOf('.') + 1)..];
}
