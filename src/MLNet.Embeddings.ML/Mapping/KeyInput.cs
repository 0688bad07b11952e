using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Input row of the key stage: any text column, only so that the stage has an input.</summary>
public sealed class KeyInput
{
    /// <summary>The text (not read).</summary>
    [ColumnName(MappingColumns.Text)] public ReadOnlyMemory<char> Text { get; set; }
}
