using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Output row of a saved similarity stage.</summary>
public sealed class SimilarityOutput
{
    /// <summary>The similarity.</summary>
    [ColumnName(MappingColumns.Score)] public float Score { get; set; }
}
