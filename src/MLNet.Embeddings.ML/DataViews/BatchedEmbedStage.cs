using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.Embeddings.ML.Mapping;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Stands in for a reloaded "Embed.N" CustomMapping stage of a saved chain (see <see cref="SavedPipeline"/>):
/// same output schema (<c>__vec</c>, <c>Vector&lt;Single, N&gt;</c>), but <see cref="Transform"/> embeds a window of
/// rows at a time through <see cref="EmbeddingDataView"/>, with the model resolved once per cursor from the
/// <c>__state</c> column. Saving and the row-to-row mapper (PredictionEngine) go to the original stage, so a chain
/// holding this stage saves to the same format as the loaded one.
/// </summary>
internal sealed class BatchedEmbedStage : ITransformer
{
    readonly ITransformer _original;

    BatchedEmbedStage(ITransformer original, int dimensions) { _original = original; Dimensions = dimensions; }

    /// <summary>The CustomMapping stage this one replaces.</summary>
    public ITransformer Original => _original;

    /// <summary>Width of the vectors the stage was saved for.</summary>
    public int Dimensions { get; }

    /// <summary>The model state of the last cursor that embedded rows (tests count its forward passes).</summary>
    public EmbeddingState? LastState { get; private set; }

    /// <summary>The batched stand-in for <paramref name="t"/>, or null when it is not a saved embedding mapping.</summary>
    public static BatchedEmbedStage? TryReplace(ITransformer t)
    {
        var type = t.GetType();
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(CustomMappingTransformer<,>)) return null;
        var args = type.GetGenericArguments();
        if (args[0] != typeof(EmbeddingInput)) return null;
        var output = SchemaDefinition.Create(args[1]);
        if (output.Count != 1 || output[0].ColumnName != MappingColumns.Vector
            || output[0].ColumnType is not VectorDataViewType { ItemType: NumberDataViewType { RawType: var raw }, Size: > 0 and var n } || raw != typeof(float)) return null;
        return new BatchedEmbedStage(t, n);
    }

    /// <inheritdoc />
    public bool IsRowToRowMapper => _original.IsRowToRowMapper;

    /// <inheritdoc />
    /// <remarks>
    /// The same columns as the original's, but the new <c>__vec</c> comes last (ML.NET places a column that hides a
    /// same-named one next to it; <see cref="EmbeddingDataView"/> serves its outputs after the input's columns).
    /// Later stages bind columns by name, so the order does not matter to them.
    /// </remarks>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        _ = _original.GetOutputSchema(inputSchema); // checks __text and __state as the original does
        return SchemaChecks.WithVectors(inputSchema, [MappingColumns.Vector], Dimensions);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new EmbeddingDataView(input, GetOutputSchema(input.Schema), [MappingColumns.Text], () => Resolve(input));
    }

    EmbeddingState? Resolve(IDataView input)
    {
        var column = input.Schema[MappingColumns.State];
        using var cursor = input.GetRowCursor([column]);
        if (!cursor.MoveNext()) return null;
        var text = default(ReadOnlyMemory<char>);
        cursor.GetGetter<ReadOnlyMemory<char>>(column)(ref text);
        var state = SavedState.Resolve(text);
        if (state.Dimensions != Dimensions)
            throw new InvalidOperationException($"the saved model gives {state.Dimensions}-dimensional vectors but its stage was saved for {Dimensions}; the zip is inconsistent.");
        return LastState = state;
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _original.GetRowToRowMapper(inputSchema);

    /// <summary>Writes the original CustomMapping stage, so the zip is the same as the loaded one.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _original.Save(ctx);
}
