using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training.Losses;

/// <summary>Row-wise distances with their backward, shared by the margin losses.</summary>
internal sealed class PairDistance
{
    const float PairwiseEps = 1e-6f; // torch pairwise_distance adds eps to the difference
    readonly DistanceMetric _metric;
    readonly Matrix _a, _b;
    Matrix? _an, _bn; float[]? _aN, _bN;

    /// <summary>Distances between the rows of <paramref name="a"/> and <paramref name="b"/>.</summary>
    public PairDistance(DistanceMetric metric, Matrix a, Matrix b)
    {
        _metric = metric; _a = a; _b = b;
        Values = new float[a.Rows];
        if (metric == DistanceMetric.Cosine)
        {
            var cos = LossMath.PairCosine(a, b, out _an, out _aN, out _bn, out _bN);
            for (int i = 0; i < cos.Length; i++) Values[i] = 1f - cos[i];
        }
        else
        {
            for (int i = 0; i < a.Rows; i++)
            {
                ReadOnlySpan<float> x = a.Row(i), y = b.Row(i);
                double s = 0;
                for (int k = 0; k < x.Length; k++) { double d = x[k] - y[k] + PairwiseEps; s += d * d; }
                Values[i] = (float)Math.Sqrt(s);
            }
        }
    }

    /// <summary>One distance per row.</summary>
    public float[] Values { get; }

    /// <summary>Adds dLoss/da and dLoss/db given dLoss/ddistance per row.</summary>
    public void Backward(float[] dDist, Matrix da, Matrix db)
    {
        if (_metric == DistanceMetric.Cosine)
        {
            var dcos = new float[dDist.Length];
            for (int i = 0; i < dcos.Length; i++) dcos[i] = -dDist[i];
            LossMath.PairCosineBackward(dcos, _an!, _aN!, _bn!, _bN!, da, db);
            return;
        }
        for (int i = 0; i < _a.Rows; i++)
        {
            if (dDist[i] == 0f || Values[i] == 0f) continue;
            ReadOnlySpan<float> x = _a.Row(i), y = _b.Row(i);
            Span<float> gx = da.Row(i), gy = db.Row(i);
            float f = dDist[i] / Values[i];
            for (int k = 0; k < x.Length; k++)
            {
                float g = f * (x[k] - y[k] + PairwiseEps);
                gx[k] += g; gy[k] -= g;
            }
        }
    }
}
