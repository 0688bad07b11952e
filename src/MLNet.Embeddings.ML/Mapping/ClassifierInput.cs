using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Input row of a saved text-classifier stage: the text, the second text of a pair, and the model state.</summary>
public sealed class ClassifierInput
{
    /// <summary>The text (or the pair's first text).</summary>
    [ColumnName(MappingColumns.Text)] public ReadOnlyMemory<char> Text { get; set; }
    /// <summary>The pair's second text (ignored by single-text classifiers).</summary>
    [ColumnName(ClassifierColumns.Second)] public ReadOnlyMemory<char> Second { get; set; }
    /// <summary>The classifier carried by the zip.</summary>
    [ColumnName(MappingColumns.State)] public ReadOnlyMemory<char> State { get; set; }
}
