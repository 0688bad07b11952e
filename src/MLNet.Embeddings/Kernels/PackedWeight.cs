namespace MLNet.Embeddings.Kernels;

/// <summary>
/// A weight matrix [n × k] (a linear layer's [out × in]) packed once into the panel layout of <see cref="Sgemm"/>'s
/// kernels (<see cref="Sgemm.PackWeight"/>), for inference where the same weight multiplies many batches.
/// </summary>
public sealed class PackedWeight
{
    internal PackedWeight(float[] data, int n, int k)
    {
        Data = data; N = n; K = k;
    }

    internal float[] Data { get; }
    /// <summary>Rows of the weight (output features).</summary>
    public int N { get; }
    /// <summary>Columns of the weight (input features).</summary>
    public int K { get; }
}
