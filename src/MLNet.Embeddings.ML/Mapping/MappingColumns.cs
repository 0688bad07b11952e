namespace MLNet.Embeddings.ML.Mapping;

/// <summary>
/// Fixed column names of the saved (stock ML.NET) form of our stages. ML.NET stores only a CustomMapping's contract
/// name, so the columns it reads and writes are the compile-time names of its row types; the saved chain copies the
/// user's columns onto these names before the mapping and back after it, then drops them.
/// </summary>
public static class MappingColumns
{
    /// <summary>Prefix of every temporary column; an input that already has such a column is refused.</summary>
    public const string Prefix = "__mlnetemb_";
    /// <summary>The text being embedded.</summary>
    public const string Text = Prefix + "text";
    /// <summary>The constant key that selects the model state in the lookup table.</summary>
    public const string Key = Prefix + "key";
    /// <summary>The document of a relevance stage (its query is <see cref="Text"/>).</summary>
    public const string Document = Prefix + "doc";
    /// <summary>The model state (header, settings and the packed model folder) looked up from <see cref="Key"/>.</summary>
    public const string State = Prefix + "state";
    /// <summary>1 while the model must still be carried to the rows (see <see cref="NeedFactory"/>), else 0.</summary>
    public const string Need = Prefix + "need";
    /// <summary>Prefix of the chunk columns of the packed model (<c>__mlnetemb_chunk0</c>, …).</summary>
    public const string Chunk = Prefix + "chunk";
    /// <summary>The chunks concatenated: the packed model, or empty once it is loaded.</summary>
    public const string Blob = Prefix + "blob";
    /// <summary>Output of the collect stages (always 0).</summary>
    public const string Collect = Prefix + "gc";
    /// <summary>The embedding written by the mapping.</summary>
    public const string Vector = Prefix + "vec";
    /// <summary>First vector of a similarity.</summary>
    public const string First = Prefix + "a";
    /// <summary>Second vector of a similarity.</summary>
    public const string Second = Prefix + "b";
    /// <summary>The similarity or relevance score written by the mapping.</summary>
    public const string Score = Prefix + "score";
}
