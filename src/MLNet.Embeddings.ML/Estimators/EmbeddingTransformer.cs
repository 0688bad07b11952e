using Microsoft.Extensions.AI;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Embeds text columns into <c>Vector&lt;Single, N&gt;</c> columns (N = the model's dimensions or the Matryoshka size).
/// <see cref="Transform"/> is lazy and batched: a cursor reads a window of rows ahead (<see cref="ApplyEmbeddingOptions.WindowSize"/>),
/// embeds their texts in length-sorted batches and then serves the rows; it never runs the model once per row.
/// Saved with <c>mlContext.Model.Save</c> it becomes a chain of stock ML.NET transforms that carries the model
/// inside the zip (see docs/ml.md); <c>mlContext.Model.Load</c> gives the same vectors bit for bit.
/// </summary>
public sealed class EmbeddingTransformer : ITransformer
{
    readonly DataViewSchema _trainedOn;
    readonly Lazy<ITransformer> _saved;

    internal EmbeddingTransformer(EmbeddingState state, IReadOnlyList<InputOutputColumnPair> columns, DataViewSchema inputSchema)
    {
        State = state;
        Columns = columns.ToArray();
        _trainedOn = inputSchema;
        foreach (var c in Columns) SchemaChecks.Text(inputSchema, c.InputColumnName, "input column");
        _saved = new Lazy<ITransformer>(() => SavedPipeline.Embedding(State, Columns, _trainedOn));
    }

    internal EmbeddingState State { get; }

    /// <summary>The (output, input) column pairs.</summary>
    public IReadOnlyList<InputOutputColumnPair> Columns { get; }

    /// <summary>Width of the output vectors.</summary>
    public int Dimensions => State.Dimensions;

    /// <summary>The model behind the stage (for direct use: <c>Encode</c>, <c>Save</c>, <c>AsEmbeddingGenerator</c>).</summary>
    /// <exception cref="InvalidOperationException">The stage calls a remote model (see <see cref="Generator"/>).</exception>
    public SentenceEncoder Encoder => State.Encoder;

    /// <summary>
    /// The generator the stage calls for a remote model (<c>openai:MODEL</c>, a <c>MLNet.Embeddings.Remote.RemoteEmbeddingGenerator</c>
    /// whose <c>Usage</c> counts requests and tokens) or a generator instance; null for a local model.
    /// </summary>
    public IEmbeddingGenerator<string, Embedding<float>>? Generator => State.Remote?.Generator;

    /// <summary>Row-to-row mapping is supported (for <c>PredictionEngine</c>; one text per call there).</summary>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInput(inputSchema);
        return SchemaChecks.WithVectors(inputSchema, Columns.Select(c => c.OutputColumnName), Dimensions);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Schema);
        return new EmbeddingDataView(input, this);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return SavedPipeline.LiveRowMapper(State, Columns, inputSchema);
    }

    /// <summary>Writes the stage as stock ML.NET transforms (CopyColumns, CustomMapping, MapValue, DropColumns) that reload without this object.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _saved.Value.Save(ctx);

    void CheckInput(DataViewSchema schema)
    {
        SchemaChecks.NoReservedNames(schema);
        foreach (var c in Columns) SchemaChecks.Text(schema, c.InputColumnName, "input column");
    }
}
