using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Input row of a saved relevance stage: the query, the document and the model state (looked up once per row, never copied).</summary>
public sealed class RelevanceInput
{
    /// <summary>The query.</summary>
    [ColumnName(MappingColumns.Text)] public ReadOnlyMemory<char> Query { get; set; }
    /// <summary>The document.</summary>
    [ColumnName(MappingColumns.Document)] public ReadOnlyMemory<char> Document { get; set; }
    /// <summary>The model state carried by the zip.</summary>
    [ColumnName(MappingColumns.State)] public ReadOnlyMemory<char> State { get; set; }
}
