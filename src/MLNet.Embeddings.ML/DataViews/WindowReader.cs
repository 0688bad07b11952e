using Microsoft.ML;

namespace MLNet.Embeddings.ML;

/// <summary>
/// The read-ahead of a windowed cursor (<see cref="EmbeddingCursor"/>, <see cref="RelevanceCursor"/>): a second cursor
/// over the input that reads the rows of the window holding the main cursor's position, once per window, so the model
/// runs on a whole window at a time. Windows only move forward.
/// </summary>
internal sealed class WindowReader(DataViewRowCursor ahead, int window, string stage, string notRepeatable)
{
    long _aheadRows;

    /// <summary>Position of the current window's first row (-1 before the first).</summary>
    public long Start { get; private set; } = -1;
    /// <summary>Rows in the current window.</summary>
    public int Rows { get; private set; }

    /// <summary>
    /// Makes the window holding <paramref name="position"/> current, calling <paramref name="readRow"/> with each of its
    /// rows' index in the window while the read-ahead cursor is on that row; true when a new window was read.
    /// </summary>
    public bool MoveTo(long position, Action<int> readRow)
    {
        if (position < 0) throw new InvalidOperationException("the cursor is not on a row.");
        long start = position / window * window;
        if (start == Start) return false;
        if (start < _aheadRows) throw new InvalidOperationException($"the {stage} cursor moved backwards.");
        while (_aheadRows < start)
        {
            if (!ahead.MoveNext()) throw NotRepeatable();
            _aheadRows++;
        }
        int n = 0;
        while (n < window && ahead.MoveNext()) readRow(n++);
        _aheadRows += n;
        if (n == 0) throw NotRepeatable();
        Start = start; Rows = n;
        return true;
    }

    InvalidOperationException NotRepeatable() => new(notRepeatable);
}
