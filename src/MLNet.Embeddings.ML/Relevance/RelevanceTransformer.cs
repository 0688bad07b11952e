using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.CrossEncoders;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Scores (query, document) text pairs with a cross-encoder into a Single column. <see cref="Transform"/> is lazy and
/// batched: a cursor reads a window of rows ahead (<see cref="ScoreRelevanceOptions.WindowSize"/>) and scores their
/// pairs with one <see cref="CrossEncoder.Predict"/> call (length-sorted batches inside), then serves the rows; it never
/// runs the model once per row. Saved with <c>mlContext.Model.Save</c> it becomes a chain of stock ML.NET transforms
/// that carries the model inside the zip (or a reference to it), as <c>ApplyEmbedding</c> does (see docs/ml.md);
/// <c>mlContext.Model.Load</c> and <see cref="EmbeddingModel.Load"/> give the same scores bit for bit.
/// </summary>
public sealed class RelevanceTransformer : ITransformer
{
    readonly DataViewSchema _trainedOn;
    readonly Lazy<ITransformer> _saved;

    internal RelevanceTransformer(RelevanceState state, string outputColumnName, string queryColumnName, string documentColumnName, DataViewSchema inputSchema)
    {
        State = state;
        OutputColumnName = outputColumnName; QueryColumnName = queryColumnName; DocumentColumnName = documentColumnName;
        _trainedOn = inputSchema;
        CheckInput(inputSchema);
        _saved = new Lazy<ITransformer>(() => RelevancePipeline.Saved(State, OutputColumnName, QueryColumnName, DocumentColumnName, _trainedOn));
    }

    internal RelevanceState State { get; }

    /// <summary>The Single column the scores go to.</summary>
    public string OutputColumnName { get; }
    /// <summary>The query text column.</summary>
    public string QueryColumnName { get; }
    /// <summary>The document text column.</summary>
    public string DocumentColumnName { get; }

    /// <summary>The model behind the stage (for direct use: <c>Predict</c>, <c>Rank</c>, <c>Save</c>).</summary>
    public CrossEncoder Model => State.Model;

    /// <summary>Row-to-row mapping is supported (for <c>PredictionEngine</c>; one pair per call there).</summary>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInput(inputSchema);
        return RelevancePipeline.WithScore(inputSchema, OutputColumnName);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new RelevanceDataView(input, GetOutputSchema(input.Schema), QueryColumnName, DocumentColumnName, () => State);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInput(inputSchema);
        return RelevancePipeline.Live(State.Score, OutputColumnName, QueryColumnName, DocumentColumnName)
            .Fit(new EmptyDataView(inputSchema)).GetRowToRowMapper(inputSchema);
    }

    /// <summary>Writes the stage as stock ML.NET transforms (CopyColumns, CustomMapping, MapValue, DropColumns) that reload without this object.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _saved.Value.Save(ctx);

    void CheckInput(DataViewSchema schema)
    {
        SchemaChecks.NoReservedNames(schema);
        SchemaChecks.Text(schema, QueryColumnName, "query column");
        SchemaChecks.Text(schema, DocumentColumnName, "document column");
    }
}
