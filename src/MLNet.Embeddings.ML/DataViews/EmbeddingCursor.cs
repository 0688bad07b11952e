using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML;

/// <summary>A cursor of <see cref="EmbeddingDataView"/>: pass-through getters from the input, vectors from the current window.</summary>
internal sealed class EmbeddingCursor : DataViewRowCursor
{
    readonly EmbeddingDataView _view;
    readonly DataViewRowCursor _main;
    readonly DataViewRowCursor? _ahead;
    readonly bool[] _active;
    readonly int[] _textColumns;
    readonly EmbeddingState? _state; // null: no vectors asked for, or no rows
    readonly int _inputCount, _window;
    readonly ValueGetter<ReadOnlyMemory<char>>?[] _textGetters;
    readonly string[][] _texts;
    readonly float[][]?[] _vectors;
    readonly WindowReader? _reader;
    readonly Action<int> _readRow; // made once: the getters ask for the window on every row

    public EmbeddingCursor(EmbeddingDataView view, DataViewRowCursor main, DataViewRowCursor? ahead, bool[] active, int[] textColumns, EmbeddingState? state, int inputCount)
    {
        _view = view; _main = main; _ahead = ahead; _active = active; _textColumns = textColumns; _state = state; _inputCount = inputCount;
        _window = state?.Settings.WindowSize ?? 1;
        _readRow = ReadRow;
        if (ahead is not null) _reader = new WindowReader(ahead, _window, "embedding", "the input data view gave fewer rows to a second cursor than to the first; ApplyEmbedding reads its input twice (texts one window ahead) and needs a repeatable IDataView.");
        _textGetters = new ValueGetter<ReadOnlyMemory<char>>?[active.Length];
        _texts = new string[active.Length][];
        _vectors = new float[][]?[active.Length];
        for (int k = 0; k < active.Length; k++)
        {
            if (!active[k]) continue;
            _textGetters[k] = ahead!.GetGetter<ReadOnlyMemory<char>>(ahead.Schema[textColumns[k]]);
            _texts[k] = new string[_window];
        }
    }

    public override DataViewSchema Schema => _view.Schema;
    public override long Position => _main.Position;
    public override long Batch => _main.Batch;
    public override bool MoveNext() => _main.MoveNext();
    public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index < _inputCount ? _main.IsColumnActive(_main.Schema[column.Index]) : _active[column.Index - _inputCount];

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < _inputCount) return _main.GetGetter<TValue>(_main.Schema[column.Index]);
        int k = column.Index - _inputCount;
        if (!_active[k]) throw new InvalidOperationException($"column '{column.Name}' is not active in this cursor.");
        if (typeof(TValue) != typeof(VBuffer<float>))
            throw new InvalidOperationException($"column '{column.Name}' is {column.Type}; a getter of {typeof(TValue).Name} was asked for.");
        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> dst) =>
        {
            var v = Vector(k, _main.Position);
            var editor = VBufferEditor.Create(ref dst, v.Length);
            v.CopyTo(editor.Values);
            dst = editor.Commit();
        };
        return (ValueGetter<TValue>)(Delegate)getter;
    }

    float[] Vector(int k, long position)
    {
        if (_reader!.MoveTo(position, _readRow))
            for (int j = 0; j < _vectors.Length; j++) _vectors[j] = null;
        var rows = _vectors[k] ??= _state!.Encode(_texts[k].AsSpan(0, _reader.Rows).ToArray());
        return rows[position - _reader.Start];
    }

    void ReadRow(int n)
    {
        var value = default(ReadOnlyMemory<char>);
        for (int k = 0; k < _active.Length; k++)
            if (_active[k]) { _textGetters[k]!(ref value); _texts[k][n] = value.ToString(); }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _main.Dispose(); _ahead?.Dispose(); }
        base.Dispose(disposing);
    }
}
