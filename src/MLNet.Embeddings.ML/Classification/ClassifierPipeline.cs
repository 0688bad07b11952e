using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML.Mapping;

namespace MLNet.Embeddings.ML;

/// <summary>
/// The stock ML.NET chains of a text-classifier stage. Saved:
/// <code>
/// CopyColumns(__text ← T, __second ← S) → CustomMapping "Key" → MapValue(__key → __state: the classifier) →
/// CustomMapping "Classify.K"(__text, __second, __state → __cscores, __cpred) → CopyColumns(Score ← __cscores) →
/// MapValueToKey(PredictedLabel ← __cpred, the labels in class order) → DropColumns(__*)
/// </code>
/// Live (Transform, PredictionEngine): the same with a per-row mapping over the classifier in memory.
/// </summary>
internal static class ClassifierPipeline
{
    public const string Score = "Score", PredictedLabel = "PredictedLabel";

    sealed class LiveRow
    {
        [ColumnName(MappingColumns.Text)] public ReadOnlyMemory<char> Text { get; set; }
        [ColumnName(ClassifierColumns.Second)] public ReadOnlyMemory<char> Second { get; set; }
    }

    sealed class LiveScores
    {
        [ColumnName(ClassifierColumns.Scores)] public float[] Scores { get; set; } = [];
        [ColumnName(ClassifierColumns.Predicted)] public ReadOnlyMemory<char> Predicted { get; set; }
    }

    sealed class LabelRow
    {
        public string Value { get; set; } = "";
    }

    static IEstimator<ITransformer> Prefix(MLContext ml, string text, string? second)
        => ml.Transforms.CopyColumns(MappingColumns.Text, text).Append(ml.Transforms.CopyColumns(ClassifierColumns.Second, second ?? text));

    /// <summary>The per-row chain; with <paramref name="labelColumn"/> (schema only) PredictedLabel copies the label column's type.</summary>
    public static IEstimator<ITransformer> Live(LiveClassifier? classifier, int labels, string text, string? second, IReadOnlyList<string>? names, string? labelColumn = null)
    {
        var ml = new MLContext();
        var output = SchemaDefinition.Create(typeof(LiveScores));
        output[ClassifierColumns.Scores].ColumnType = new VectorDataViewType(NumberDataViewType.Single, labels);
        var chain = Prefix(ml, text, second)
            .Append(ml.Transforms.CustomMapping<LiveRow, LiveScores>((i, o) =>
            {
                if (classifier is null) throw new InvalidOperationException("schema only");
                (o.Scores, o.Predicted) = classifier.Classify(i.Text.ToString(), i.Second.ToString());
            }, null, outputSchemaDefinition: output))
            .Append(ml.Transforms.CopyColumns(Score, ClassifierColumns.Scores));
        IEstimator<ITransformer> withLabel = labelColumn is not null
            ? chain.Append(ml.Transforms.CopyColumns(PredictedLabel, labelColumn))
            : chain.Append(ml.Transforms.Conversion.MapValueToKey(PredictedLabel, ClassifierColumns.Predicted, keyData: KeyData(ml, names!)));
        return withLabel.Append(ml.Transforms.DropColumns(MappingColumns.Text, ClassifierColumns.Second, ClassifierColumns.Scores, ClassifierColumns.Predicted));
    }

    /// <summary>The saved chain, fitted on <paramref name="schema"/>.</summary>
    public static ITransformer Saved(LiveClassifier classifier, string text, string? second, DataViewSchema schema)
    {
        var ml = new MLContext();
        int labels = classifier.Model.NumLabels;
        var classify = ClassifierContracts.Classify(ml, labels) ?? throw new ConfigurationException("labels",
            $"a text classifier with {labels} labels cannot be saved: ML.NET needs a compile-time Score size per saved mapping and the supported label counts are {ClassifierContracts.Sizes[0]} to {ClassifierContracts.Sizes[^1]}.");
        return Prefix(ml, text, second)
            .Append(ml.Transforms.CustomMapping(new KeyFactory().GetMapping(), KeyFactory.Contract))
            .Append(SavedPipeline.Lookup(ml, ClassifierState.Build(classifier)))
            .Append(classify)
            .Append(ml.Transforms.CopyColumns(Score, ClassifierColumns.Scores))
            .Append(ml.Transforms.Conversion.MapValueToKey(PredictedLabel, ClassifierColumns.Predicted, keyData: KeyData(ml, classifier.Model.Labels)))
            .Append(ml.Transforms.DropColumns(MappingColumns.Text, ClassifierColumns.Second, MappingColumns.Key, MappingColumns.State, ClassifierColumns.Scores, ClassifierColumns.Predicted))
            .Fit(new EmptyDataView(schema));
    }

    /// <summary>The labels in class order, as the key data of MapValueToKey (key i + 1 = class i).</summary>
    static IDataView KeyData(MLContext ml, IReadOnlyList<string> names) => ml.Data.LoadFromEnumerable(names.Select(n => new LabelRow { Value = n }).ToArray());
}
