using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Output row of <see cref="NeedFactory"/>: the key (1) that makes the chunk lookups hand out the packed model, or 0 once it is loaded.</summary>
public sealed class NeedOutput
{
    /// <summary>1 while the model is not loaded in this process, else 0.</summary>
    [ColumnName(MappingColumns.Need)] public float Need { get; set; }
}
