using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Output row of the key stage: the constant key 1 that the lookup table maps to the model state.</summary>
public sealed class KeyOutput
{
    /// <summary>Always 1.</summary>
    [ColumnName(MappingColumns.Key)] public float Key { get; set; }
}
