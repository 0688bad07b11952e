using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Input row of the per-row relevance mapping used for PredictionEngine and schema propagation (never saved).</summary>
public sealed class PairInput
{
    /// <summary>The query.</summary>
    [ColumnName(MappingColumns.Text)] public ReadOnlyMemory<char> Query { get; set; }
    /// <summary>The document.</summary>
    [ColumnName(MappingColumns.Document)] public ReadOnlyMemory<char> Document { get; set; }
}
