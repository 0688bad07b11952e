using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Input row of the stage that decides whether a row must carry the packed model (see <see cref="NeedFactory"/>).</summary>
public sealed class StateInput
{
    /// <summary>The model state header (checksum and settings).</summary>
    [ColumnName(MappingColumns.State)] public ReadOnlyMemory<char> State { get; set; }
}
