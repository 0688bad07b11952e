using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Output row of a saved relevance stage.</summary>
public sealed class RelevanceOutput
{
    /// <summary>The cross-encoder's score of the pair.</summary>
    [ColumnName(MappingColumns.Score)] public float Score { get; set; }
}
