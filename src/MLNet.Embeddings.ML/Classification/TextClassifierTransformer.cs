using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.CrossEncoders;

namespace MLNet.Embeddings.ML;

/// <summary>
/// A trained text classifier as an ML.NET transformer: adds <c>PredictedLabel</c> (key; the key values are the labels
/// in class order) and <c>Score</c> (softmax probability per class). Rows are classified one at a time as they are
/// read. Saved with <c>mlContext.Model.Save</c> it becomes a chain of stock ML.NET transforms that carries the
/// classifier inside the zip; <c>mlContext.Model.Load</c> gives the same scores.
/// </summary>
public sealed class TextClassifierTransformer : ITransformer
{
    readonly LiveClassifier _classifier;
    readonly DataViewSchema _trainedOn;
    readonly Lazy<ITransformer> _saved;

    internal TextClassifierTransformer(LiveClassifier classifier, string textColumnName, string? secondTextColumnName, DataViewSchema trainedOn)
    {
        _classifier = classifier; _trainedOn = trainedOn;
        TextColumnName = textColumnName; SecondTextColumnName = secondTextColumnName;
        _saved = new Lazy<ITransformer>(() => ClassifierPipeline.Saved(_classifier, TextColumnName, SecondTextColumnName, _trainedOn));
    }

    /// <summary>The trained classifier (a Hugging Face <c>*ForSequenceClassification</c>; <c>Save</c> writes its folder).</summary>
    public CrossEncoder Model => _classifier.Model;
    /// <summary>The labels in class order (key i + 1 of <c>PredictedLabel</c> is label i).</summary>
    public IReadOnlyList<string> Labels => _classifier.Model.Labels;
    /// <summary>The text column (the pair's first text).</summary>
    public string TextColumnName { get; }
    /// <summary>The pair's second text column, or null.</summary>
    public string? SecondTextColumnName { get; }
    /// <summary>Row-to-row mapping is supported (PredictionEngine).</summary>
    public bool IsRowToRowMapper => true;

    ITransformer Live(DataViewSchema schema)
    {
        CheckInput(schema);
        return ClassifierPipeline.Live(_classifier, Model.NumLabels, TextColumnName, SecondTextColumnName, Labels).Fit(new EmptyDataView(schema));
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return Live(inputSchema).GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Live(input.Schema).Transform(input);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Live(inputSchema).GetRowToRowMapper(inputSchema);

    /// <summary>Writes the stage as stock ML.NET transforms that reload without this object, the classifier inside.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _saved.Value.Save(ctx);

    void CheckInput(DataViewSchema schema)
    {
        SchemaChecks.NoReservedNames(schema);
        SchemaChecks.Text(schema, TextColumnName, "text column");
        if (SecondTextColumnName is not null) SchemaChecks.Text(schema, SecondTextColumnName, "second text column");
    }
}
