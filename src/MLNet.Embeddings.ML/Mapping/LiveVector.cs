using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Output row of the per-row mapping used for PredictionEngine (its size is set at run time; never saved).</summary>
public sealed class LiveVector
{
    /// <summary>The embedding.</summary>
    [ColumnName(MappingColumns.Vector)] public float[] Vector { get; set; } = [];
}
