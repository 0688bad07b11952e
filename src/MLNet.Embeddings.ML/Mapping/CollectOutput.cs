using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Output row of <see cref="CollectFactory"/> (always 0; the stage exists for what it does when it is loaded).</summary>
public sealed class CollectOutput
{
    /// <summary>Always 0.</summary>
    [ColumnName(MappingColumns.Collect)] public float Value { get; set; }
}
