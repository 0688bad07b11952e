using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Input row of a saved embedding stage: the text and the model state (looked up once per row, never copied).</summary>
public sealed class EmbeddingInput
{
    /// <summary>The text to embed.</summary>
    [ColumnName(MappingColumns.Text)] public ReadOnlyMemory<char> Text { get; set; }
    /// <summary>The model state carried by the zip (see <see cref="SavedState"/>).</summary>
    [ColumnName(MappingColumns.State)] public ReadOnlyMemory<char> State { get; set; }
}
