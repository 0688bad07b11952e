using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Output row of <see cref="AssembleFactory"/>: the state header again, now that its model is loaded.</summary>
public sealed class StateOutput
{
    /// <summary>The model state header (the same text as the input's, not a copy).</summary>
    [ColumnName(MappingColumns.State)] public ReadOnlyMemory<char> State { get; set; }
}
