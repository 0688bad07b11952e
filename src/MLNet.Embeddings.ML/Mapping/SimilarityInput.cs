using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Input row of a saved similarity stage: two vectors of any (equal) length.</summary>
public sealed class SimilarityInput
{
    /// <summary>First vector.</summary>
    [ColumnName(MappingColumns.First)] public VBuffer<float> First { get; set; }
    /// <summary>Second vector.</summary>
    [ColumnName(MappingColumns.Second)] public VBuffer<float> Second { get; set; }
}
