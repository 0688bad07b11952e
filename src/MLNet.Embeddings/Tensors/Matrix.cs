namespace MLNet.Embeddings.Tensors;

/// <summary>A dense row-major float matrix: <see cref="Rows"/> × <see cref="Cols"/> over one flat array.</summary>
public sealed class Matrix
{
    /// <summary>Creates a zero matrix.</summary>
    public Matrix(int rows, int cols) : this(rows, cols, new float[checked(rows * cols)]) { }

    /// <summary>Wraps <paramref name="data"/> (not copied); its length must be rows × cols.</summary>
    public Matrix(int rows, int cols, float[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if (data.Length != rows * cols)
            throw new ArgumentException($"Expected {rows}×{cols}={rows * cols} values, found {data.Length}.", nameof(data));
        Rows = rows; Cols = cols; Data = data;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }
    /// <summary>Number of columns.</summary>
    public int Cols { get; }
    /// <summary>The values, row after row.</summary>
    public float[] Data { get; }

    /// <summary>Row <paramref name="i"/> as a span.</summary>
    public Span<float> Row(int i) => Data.AsSpan(i * Cols, Cols);

    /// <summary>Element access.</summary>
    public float this[int r, int c] { get => Data[r * Cols + c]; set => Data[r * Cols + c] = value; }

    /// <summary>Builds a matrix from equally long rows (copied).</summary>
    public static Matrix FromRows(IReadOnlyList<float[]> rows)
    {
        int cols = rows.Count == 0 ? 0 : rows[0].Length;
        var m = new Matrix(rows.Count, cols);
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != cols) throw new ArgumentException($"Row {i} has {rows[i].Length} values, expected {cols}.");
            rows[i].CopyTo(m.Row(i));
        }
        return m;
    }

    /// <summary>The rows as separate arrays (copied).</summary>
    public float[][] ToRows()
    {
        var r = new float[Rows][];
        for (int i = 0; i < Rows; i++) r[i] = Row(i).ToArray();
        return r;
    }
}
