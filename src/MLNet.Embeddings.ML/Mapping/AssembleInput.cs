using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Input row of <see cref="AssembleFactory"/>: the state header and the packed model (empty once it is loaded).</summary>
public sealed class AssembleInput
{
    /// <summary>The model state header.</summary>
    [ColumnName(MappingColumns.State)] public ReadOnlyMemory<char> State { get; set; }
    /// <summary>The packed model folder (a zip), or empty.</summary>
    [ColumnName(MappingColumns.Blob)] public VBuffer<byte> Blob { get; set; }
}
