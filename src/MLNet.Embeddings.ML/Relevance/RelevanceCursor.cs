using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML;

/// <summary>A cursor of <see cref="RelevanceDataView"/>: pass-through getters from the input, scores from the current window.</summary>
internal sealed class RelevanceCursor : DataViewRowCursor
{
    readonly DataViewRowCursor _main;
    readonly DataViewRowCursor? _ahead;
    readonly RelevanceState? _state; // null: no scores asked for, or no rows
    readonly int _inputCount, _window;
    readonly ValueGetter<ReadOnlyMemory<char>>? _queryGetter, _documentGetter;
    readonly string[] _queries, _documents;
    float[]? _scores;
    readonly WindowReader? _reader;
    readonly Action<int> _readRow; // made once: the getters ask for the window on every row

    public RelevanceCursor(DataViewSchema schema, DataViewRowCursor main, DataViewRowCursor? ahead, int query, int document, RelevanceState? state, int inputCount)
    {
        Schema = schema; _main = main; _ahead = ahead; _state = state; _inputCount = inputCount;
        _window = state?.WindowSize ?? 1;
        _queries = new string[ahead is null ? 0 : _window];
        _documents = new string[_queries.Length];
        _readRow = ReadRow;
        if (ahead is not null)
        {
            _reader = new WindowReader(ahead, _window, "relevance", "the input data view gave fewer rows to a second cursor than to the first; ScoreRelevance reads its input twice (queries and documents one window ahead) and needs a repeatable IDataView.");
            _queryGetter = ahead.GetGetter<ReadOnlyMemory<char>>(ahead.Schema[query]);
            _documentGetter = ahead.GetGetter<ReadOnlyMemory<char>>(ahead.Schema[document]);
        }
    }

    public override DataViewSchema Schema { get; }
    public override long Position => _main.Position;
    public override long Batch => _main.Batch;
    public override bool MoveNext() => _main.MoveNext();
    public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index < _inputCount ? _main.IsColumnActive(_main.Schema[column.Index]) : _ahead is not null;

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < _inputCount) return _main.GetGetter<TValue>(_main.Schema[column.Index]);
        if (_ahead is null) throw new InvalidOperationException($"column '{column.Name}' is not active in this cursor.");
        if (typeof(TValue) != typeof(float))
            throw new InvalidOperationException($"column '{column.Name}' is {column.Type}; a getter of {typeof(TValue).Name} was asked for.");
        ValueGetter<float> getter = (ref float dst) => dst = Score(_main.Position);
        return (ValueGetter<TValue>)(Delegate)getter;
    }

    float Score(long position)
    {
        if (_reader!.MoveTo(position, _readRow)) _scores = null;
        _scores ??= _state!.Score(_queries.AsSpan(0, _reader.Rows).ToArray(), _documents.AsSpan(0, _reader.Rows).ToArray());
        return _scores[position - _reader.Start];
    }

    void ReadRow(int n)
    {
        var value = default(ReadOnlyMemory<char>);
        _queryGetter!(ref value); _queries[n] = value.ToString();
        _documentGetter!(ref value); _documents[n] = value.ToString();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _main.Dispose(); _ahead?.Dispose(); }
        base.Dispose(disposing);
    }
}
