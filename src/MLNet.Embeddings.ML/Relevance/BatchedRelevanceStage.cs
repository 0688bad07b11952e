using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.Embeddings.ML.Mapping;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Stands in for a reloaded "Relevance" CustomMapping stage of a saved chain (<see cref="RelevancePipeline"/>), as
/// <see cref="BatchedEmbedStage"/> does for embeddings: same output column (<c>__score</c>, Single), but
/// <see cref="Transform"/> scores a window of rows per model call through <see cref="RelevanceDataView"/>, with the model
/// resolved once per cursor from the <c>__state</c> column. Saving and the row-to-row mapper go to the original stage.
/// </summary>
internal sealed class BatchedRelevanceStage : ITransformer
{
    readonly ITransformer _original;

    BatchedRelevanceStage(ITransformer original) => _original = original;

    /// <summary>The CustomMapping stage this one replaces.</summary>
    public ITransformer Original => _original;

    /// <summary>The model state of the last cursor that scored rows (tests count its model calls).</summary>
    public RelevanceState? LastState { get; private set; }

    /// <summary>The batched stand-in for <paramref name="t"/>, or null when it is not a saved relevance mapping.</summary>
    public static BatchedRelevanceStage? TryReplace(ITransformer t) => t is CustomMappingTransformer<RelevanceInput, RelevanceOutput> ? new BatchedRelevanceStage(t) : null;

    /// <inheritdoc />
    public bool IsRowToRowMapper => _original.IsRowToRowMapper;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        _ = _original.GetOutputSchema(inputSchema); // checks __text, __doc and __state as the original does
        return RelevancePipeline.WithScore(inputSchema, MappingColumns.Score);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new RelevanceDataView(input, GetOutputSchema(input.Schema), MappingColumns.Text, MappingColumns.Document, () => Resolve(input));
    }

    RelevanceState? Resolve(IDataView input)
    {
        var column = input.Schema[MappingColumns.State];
        using var cursor = input.GetRowCursor([column]);
        if (!cursor.MoveNext()) return null;
        var text = default(ReadOnlyMemory<char>);
        cursor.GetGetter<ReadOnlyMemory<char>>(column)(ref text);
        return LastState = SavedState.ResolveAny(text) as RelevanceState
            ?? throw new InvalidOperationException("the model state found by a relevance stage is not a cross-encoder's; the zip is inconsistent.");
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _original.GetRowToRowMapper(inputSchema);

    /// <summary>Writes the original CustomMapping stage, so the zip is the same as the loaded one.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _original.Save(ctx);
}
