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
    long _windowStart = -1;
    int _windowRows;
    long _aheadRows;

    public RelevanceCursor(DataViewSchema schema, DataViewRowCursor main, DataViewRowCursor? ahead, int query, int document, RelevanceState? state, int inputCount)
    {
        Schema = schema; _main = main; _ahead = ahead; _state = state; _inputCount = inputCount;
        _window = state?.WindowSize ?? 1;
        _queries = new string[ahead is null ? 0 : _window];
        _documents = new string[_queries.Length];
        if (ahead is not null)
        {
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
        if (position < 0) throw new InvalidOperationException("the cursor is not on a row.");
        long start = position / _window * _window;
        if (start != _windowStart) LoadWindow(start);
        _scores ??= _state!.Score(_queries.AsSpan(0, _windowRows).ToArray(), _documents.AsSpan(0, _windowRows).ToArray());
        return _scores[position - start];
    }

    void LoadWindow(long start)
    {
        if (start < _aheadRows) throw new InvalidOperationException("the relevance cursor moved backwards.");
        while (_aheadRows < start)
        {
            if (!_ahead!.MoveNext()) throw NotRepeatable();
            _aheadRows++;
        }
        int n = 0;
        var value = default(ReadOnlyMemory<char>);
        while (n < _window && _ahead!.MoveNext())
        {
            _queryGetter!(ref value); _queries[n] = value.ToString();
            _documentGetter!(ref value); _documents[n] = value.ToString();
            n++;
        }
        _aheadRows += n;
        if (n == 0) throw NotRepeatable();
        _windowStart = start; _windowRows = n;
        _scores = null;
    }

    static InvalidOperationException NotRepeatable() =>
        new("the input data view gave fewer rows to a second cursor than to the first; ScoreRelevance reads its input twice (queries and documents one window ahead) and needs a repeatable IDataView.");

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _main.Dispose(); _ahead?.Dispose(); }
        base.Dispose(disposing);
    }
}
