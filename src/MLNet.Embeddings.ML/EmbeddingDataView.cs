using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML;

/// <summary>
/// The lazy output of <see cref="EmbeddingTransformer"/>: input columns pass through; each output vector column is
/// computed a window of rows at a time. A cursor opens a second cursor over the input that reads only the text
/// columns, one window ahead of the rows served (IDataView cursors are repeatable, so both see the same rows).
/// A cursor set is one cursor: the model already uses every core on one batch.
/// </summary>
internal sealed class EmbeddingDataView : IDataView
{
    readonly IDataView _input;
    readonly EmbeddingTransformer _transformer;
    readonly int[] _textColumns;

    public EmbeddingDataView(IDataView input, EmbeddingTransformer transformer)
    {
        _input = input; _transformer = transformer;
        Schema = transformer.GetOutputSchema(input.Schema);
        _textColumns = transformer.Columns.Select(c => input.Schema[c.InputColumnName].Index).ToArray();
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
        return new EmbeddingCursor(this, main, ahead, outputs, _textColumns, _transformer.State, inputCount);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];
}
