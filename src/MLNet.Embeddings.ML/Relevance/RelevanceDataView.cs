using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML;

/// <summary>
/// The lazy output of <see cref="RelevanceTransformer"/> (and of the batched reload, <see cref="BatchedRelevanceStage"/>):
/// input columns pass through; the score column is computed a window of rows at a time, as <see cref="EmbeddingDataView"/>
/// computes vectors: a second cursor over the input reads the query and document columns one window ahead, and each
/// window is one <see cref="RelevanceState.Score(IReadOnlyList{string}, IReadOnlyList{string}, CancellationToken)"/> call.
/// A cursor set is one cursor (the model already uses every core on one batch).
/// </summary>
internal sealed class RelevanceDataView : IDataView
{
    readonly IDataView _input;
    readonly Func<RelevanceState?> _state;
    readonly int _query, _document;

    /// <param name="input">The input view.</param>
    /// <param name="schema">The output schema: the input's columns, then the score column.</param>
    /// <param name="query">The query text column.</param>
    /// <param name="document">The document text column.</param>
    /// <param name="state">The model (called when a cursor needs scores; null when the input has no rows).</param>
    public RelevanceDataView(IDataView input, DataViewSchema schema, string query, string document, Func<RelevanceState?> state)
    {
        _input = input; _state = state;
        Schema = schema;
        _query = input.Schema[query].Index;
        _document = input.Schema[document].Index;
    }

    public DataViewSchema Schema { get; }
    public bool CanShuffle => false;
    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        int inputCount = _input.Schema.Count;
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        bool scores = needed.Contains(inputCount);
        var main = _input.GetRowCursor(needed.Where(i => i < inputCount).Select(i => _input.Schema[i]));
        DataViewRowCursor? ahead = scores ? _input.GetRowCursor(new[] { _query, _document }.Distinct().Select(i => _input.Schema[i])) : null;
        return new RelevanceCursor(Schema, main, ahead, _query, _document, ahead is null ? null : _state(), inputCount);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];
}
