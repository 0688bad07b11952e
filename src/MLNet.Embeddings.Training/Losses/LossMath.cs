using System.Numerics.Tensors;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training.Losses;

/// <summary>Small shared pieces of the losses: row normalisation with its backward, pairwise cosine, checks.</summary>
internal static class LossMath
{
    /// <summary>Norm floor, as torch.nn.functional.normalize (eps 1e-12).</summary>
    const float NormEps = 1e-12f;

    /// <summary>Row-wise L2 normalisation (copy); <paramref name="norms"/> receives max(‖x‖, eps).</summary>
    public static Matrix Normalize(Matrix x, out float[] norms)
    {
        var y = new Matrix(x.Rows, x.Cols);
        norms = new float[x.Rows];
        for (int i = 0; i < x.Rows; i++)
        {
            float n = MathF.Max(TensorPrimitives.Norm((ReadOnlySpan<float>)x.Row(i)), NormEps);
            norms[i] = n;
            TensorPrimitives.Divide(x.Row(i), n, y.Row(i));
        }
        return y;
    }

    /// <summary>Backward of <see cref="Normalize"/>: <c>dx += (dy − y·(y·dy)) / ‖x‖</c>.</summary>
    public static void NormalizeBackward(Matrix y, float[] norms, Matrix dy, Matrix dx)
    {
        for (int i = 0; i < y.Rows; i++)
        {
            ReadOnlySpan<float> yr = y.Row(i), g = dy.Row(i);
            float proj = TensorPrimitives.Dot(yr, g);
            var o = dx.Row(i);
            float inv = 1f / norms[i];
            for (int k = 0; k < o.Length; k++) o[k] += (g[k] - yr[k] * proj) * inv;
        }
    }

    /// <summary>Cosine of each row pair; <paramref name="an"/>/<paramref name="bn"/> receive the normalised rows.</summary>
    public static float[] PairCosine(Matrix a, Matrix b, out Matrix an, out float[] aNorm, out Matrix bn, out float[] bNorm)
    {
        an = Normalize(a, out aNorm); bn = Normalize(b, out bNorm);
        var c = new float[a.Rows];
        for (int i = 0; i < a.Rows; i++) c[i] = TensorPrimitives.Dot((ReadOnlySpan<float>)an.Row(i), bn.Row(i));
        return c;
    }

    /// <summary>Backward of <see cref="PairCosine"/> given dLoss/dcos per row; adds into <paramref name="da"/>, <paramref name="db"/>.</summary>
    public static void PairCosineBackward(float[] dcos, Matrix an, float[] aNorm, Matrix bn, float[] bNorm, Matrix da, Matrix db)
    {
        var dan = new Matrix(an.Rows, an.Cols); var dbn = new Matrix(bn.Rows, bn.Cols);
        for (int i = 0; i < an.Rows; i++)
        {
            TensorPrimitives.Multiply(bn.Row(i), dcos[i], dan.Row(i));
            TensorPrimitives.Multiply(an.Row(i), dcos[i], dbn.Row(i));
        }
        NormalizeBackward(an, aNorm, dan, da);
        NormalizeBackward(bn, bNorm, dbn, db);
    }

    /// <summary>Dot product of each row pair.</summary>
    public static float[] PairDot(Matrix a, Matrix b)
    {
        var d = new float[a.Rows];
        for (int i = 0; i < a.Rows; i++) d[i] = TensorPrimitives.Dot((ReadOnlySpan<float>)a.Row(i), b.Row(i));
        return d;
    }

    /// <summary>Backward of <see cref="PairDot"/>.</summary>
    public static void PairDotBackward(float[] dd, Matrix a, Matrix b, Matrix da, Matrix db)
    {
        for (int i = 0; i < a.Rows; i++)
        {
            TensorPrimitives.MultiplyAdd(b.Row(i), dd[i], da.Row(i), da.Row(i));
            TensorPrimitives.MultiplyAdd(a.Row(i), dd[i], db.Row(i), db.Row(i));
        }
    }

    /// <summary>Zero gradients shaped like the input columns.</summary>
    public static Matrix[] ZeroGradients(IReadOnlyList<Matrix> columns)
    {
        var g = new Matrix[columns.Count];
        for (int c = 0; c < g.Length; c++) g[c] = new Matrix(columns[c].Rows, columns[c].Cols);
        return g;
    }

    /// <summary>Checks the column count and that all columns share rows and width.</summary>
    public static void CheckColumns(LossInput input, string loss, int min, int max = int.MaxValue)
    {
        var cols = input.Columns;
        if (cols.Count < min || cols.Count > max)
            throw new ArgumentException($"Loss '{loss}' expects {(max == int.MaxValue ? $"at least {min}" : min == max ? $"{min}" : $"{min}..{max}")} columns, found {cols.Count}.");
        for (int c = 1; c < cols.Count; c++)
            if (cols[c].Rows != cols[0].Rows || cols[c].Cols != cols[0].Cols)
                throw new ArgumentException($"Loss '{loss}': column {c} is {cols[c].Rows}×{cols[c].Cols}, column 0 is {cols[0].Rows}×{cols[0].Cols}.");
    }

    /// <summary>The per-row labels, checked for length.</summary>
    public static float[] Labels(LossInput input, string loss)
    {
        var l = input.Labels ?? throw new ArgumentException($"Loss '{loss}' needs a label or score per row.");
        if (l.Length != input.Columns[0].Rows) throw new ArgumentException($"Loss '{loss}': {l.Length} labels for {input.Columns[0].Rows} rows.");
        return l;
    }
}
