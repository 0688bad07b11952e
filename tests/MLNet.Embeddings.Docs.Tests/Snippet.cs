namespace MLNet.Embeddings.Docs.Tests;

/// <summary>One fenced C# block of a Markdown file.</summary>
/// <param name="File">Path relative to the repository root (README.md, docs/x.md).</param>
/// <param name="Line">1-based line of the block's first code line.</param>
/// <param name="CompileOnly">The info string says <c>compile-only</c>: compiled, never run.</param>
/// <param name="Code">The block's text.</param>
public sealed record Snippet(string File, int Line, bool CompileOnly, string Code)
{
    /// <summary><c>README.md:42</c>.</summary>
    public string Id => $"{File}:{Line}";
}
