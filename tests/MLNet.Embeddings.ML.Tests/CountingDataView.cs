using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>Wraps a data view and counts the rows its cursors move over (all cursors together).</summary>
public sealed class CountingDataView(IDataView inner) : IDataView
{
    long _rows;
    public long RowsRead => Interlocked.Read(ref _rows);
    public DataViewSchema Schema => inner.Schema;
    public bool CanShuffle => false;
    public long? GetRowCount() => inner.GetRowCount();
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, inner.GetRowCursor(columnsNeeded));
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [GetRowCursor(columnsNeeded)];

    sealed class Cursor(CountingDataView owner, DataViewRowCursor inner) : DataViewRowCursor
    {
        public override DataViewSchema Schema => inner.Schema;
        public override long Position => inner.Position;
        public override long Batch => inner.Batch;
        public override bool MoveNext() { bool ok = inner.MoveNext(); if (ok) Interlocked.Increment(ref owner._rows); return ok; }
        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(column);
        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
    }
}
