using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML;

/// <summary>
/// The lazy output of <see cref="EmbeddingTransformer"/>: input columns pass through; each output vector column is
/// computed a window of rows at a time. A cursor opens a second cursor over the input that reads only the text
/// columns, one window ahead of the rows served (IDataView cursors are repeatable, so both see the same rows).
/// A cursor set is one cursor: the model already uses every core on one batch. Also serves the reloaded saved chain
/// (<see cref="BatchedEmbedStage"/>), whose model state is read from the data when a cursor is opened.
/// </summary>
internal sealed class EmbeddingDataView : IDataView
{
    readonly IDataView _input;
    readonly Func<EmbeddingState?> _state;
    readonly int[] _textColumns;

    public EmbeddingDataView(IDataView input, EmbeddingTransformer transformer)
        : this(input, transformer.GetOutputSchema(input.Schema), transformer.Columns.Select(c => c.InputColumnName), () => transformer.State) { }

    /// <param name="input">The input view.</param>
    /// <param name="schema">The output schema: the input's columns, then one vector column per text column.</param>
    /// <param name="textColumns">The text column of each output vector column.</param>
    /// <param name="state">The model (called when a cursor needs vectors; null when the input has no rows).</param>
    public EmbeddingDataView(IDataView input, DataViewSchema schema, IEnumerable<string> textColumns, Func<EmbeddingState?> state)
    {
        _input = input; _state = state;
        Schema = schema;
        _textColumns = textColumns.Select(c => input.Schema[c].Index).ToArray();
    }

    public DataViewSchema Schema { get; }
    public bool CanShuffle => false;
    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        int inputCount = _input.Schema.Count;
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var outputs = new bool[_textColumns.Length];
        for (int k = 0; k < outputs.Length; k++) outputs[k] = needed.Contains(inputCount + k);
        var passThrough = needed.Where(i => i < inputCount).Select(i => _input.Schema[i]);
        var main = _input.GetRowCursor(passThrough);
        DataViewRowCursor? ahead = outputs.Any(o => o)
            ? _input.GetRowCursor(_textColumns.Where((_, k) => outputs[k]).Distinct().Select(i => _input.Schema[i]))
            : null;
        return new EmbeddingCursor(this, main, ahead, outputs, _textColumns, ahead is null ? null : _state(), inputCount);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];
}
