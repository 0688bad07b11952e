using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// All-pairs distances of one embedding matrix with their backward, as sentence-transformers'
/// <c>BatchHardTripletLossDistanceFunction</c>: euclidean (0 on the diagonal, no gradient through a zero distance) or
/// cosine distance <c>1 − cos</c>.
/// </summary>
internal sealed class PairwiseDistances
{
    readonly DistanceMetric _metric;
    readonly Matrix _e;
    readonly Matrix? _n; readonly float[]? _norms;

    public PairwiseDistances(DistanceMetric metric, Matrix e)
    {
        _metric = metric; _e = e;
        int b = e.Rows;
        Values = new float[b, b];
        if (metric == DistanceMetric.Cosine)
        {
            _n = LossMath.Normalize(e, out _norms);
            for (int i = 0; i < b; i++)
                for (int j = 0; j < b; j++)
                    Values[i, j] = 1f - System.Numerics.Tensors.TensorPrimitives.Dot((ReadOnlySpan<float>)_n.Row(i), _n.Row(j));
        }
        else
        {
            for (int i = 0; i < b; i++)
                for (int j = i + 1; j < b; j++)
                {
                    ReadOnlySpan<float> x = e.Row(i), y = e.Row(j);
                    double s = 0;
                    for (int k = 0; k < x.Length; k++) { double t = x[k] - y[k]; s += t * t; }
                    Values[i, j] = Values[j, i] = (float)Math.Sqrt(s);
                }
        }
    }

    /// <summary>Distance of rows i and j.</summary>
    public float[,] Values { get; }

    /// <summary>Adds dLoss/dE into <paramref name="de"/> given dLoss/dDistance per pair.</summary>
    public void Backward(float[,] dd, Matrix de)
    {
        int b = _e.Rows, dim = _e.Cols;
        if (_metric == DistanceMetric.Cosine)
        {
            var dn = new Matrix(b, dim);
            for (int i = 0; i < b; i++)
                for (int j = 0; j < b; j++)
                {
                    float g = dd[i, j];
                    if (g == 0) continue;
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(_n!.Row(j), -g, dn.Row(i), dn.Row(i));
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(_n.Row(i), -g, dn.Row(j), dn.Row(j));
                }
            LossMath.NormalizeBackward(_n!, _norms!, dn, de);
            return;
        }
        for (int i = 0; i < b; i++)
            for (int j = 0; j < b; j++)
            {
                float g = dd[i, j], dist = Values[i, j];
                if (g == 0 || i == j || dist == 0) continue;
                float s = g / dist;
                ReadOnlySpan<float> x = _e.Row(i), y = _e.Row(j);
                Span<float> gx = de.Row(i), gy = de.Row(j);
                for (int k = 0; k < dim; k++) { float t = s * (x[k] - y[k]); gx[k] += t; gy[k] -= t; }
            }
    }
}
