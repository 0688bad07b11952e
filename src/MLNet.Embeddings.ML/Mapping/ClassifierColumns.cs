namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Fixed column names of the saved text-classifier stage (besides <see cref="MappingColumns"/>'s text, key and state).</summary>
public static class ClassifierColumns
{
    /// <summary>The second text of a pair (a copy of the text for single-text classifiers; not read then).</summary>
    public const string Second = MappingColumns.Prefix + "second";
    /// <summary>The label probabilities written by the mapping.</summary>
    public const string Scores = MappingColumns.Prefix + "cscores";
    /// <summary>The predicted label's name written by the mapping (mapped to a key afterwards).</summary>
    public const string Predicted = MappingColumns.Prefix + "cpred";
}
