namespace MLNet.Embeddings.Kernels;

/// <summary>
/// Rotary position embeddings in the Hugging Face layout (<c>rotate_half</c>: dimension <c>i</c> pairs with
/// <c>i + d/2</c>), forward and backward. The angle of pair <c>i</c> at position <c>p</c> is
/// <c>p · θ^(−2i/d)</c>.
/// </summary>
public sealed class Rotary
{
    readonly float[] _cos, _sin;

    /// <summary>Precomputes cos/sin for positions 0 … <paramref name="positions"/> − 1.</summary>
    /// <param name="headDim">Rotated width (even).</param>
    /// <param name="theta">Base θ (config <c>rope_theta</c>).</param>
    /// <param name="positions">Number of positions.</param>
    /// <param name="scale">Linear position scaling factor (rope_scaling "linear"): positions are divided by it.</param>
    public Rotary(int headDim, double theta, int positions, double scale = 1.0)
    {
        if (headDim % 2 != 0) throw new ArgumentException($"head dimension {headDim} must be even for rotary embeddings.", nameof(headDim));
        HeadDim = headDim; Positions = positions;
        int half = headDim / 2;
        _cos = new float[positions * half]; _sin = new float[positions * half];
        for (int i = 0; i < half; i++)
        {
            // As Hugging Face: inv_freq in float32, angle = float32(position) · inv_freq in float32.
            float inv = (float)(1.0 / Math.Pow(theta, 2.0 * i / headDim) / scale);
            for (int p = 0; p < positions; p++)
            {
                float angle = p * inv;
                _cos[p * half + i] = MathF.Cos(angle);
                _sin[p * half + i] = MathF.Sin(angle);
            }
        }
    }

    /// <summary>Width of one rotated head.</summary>
    public int HeadDim { get; }
    /// <summary>Number of precomputed positions.</summary>
    public int Positions { get; }

    /// <summary>Rotates every head of one token vector in place: <paramref name="x"/> holds <paramref name="heads"/> × HeadDim values.</summary>
    public void Forward(Span<float> x, int heads, int position) => Apply(x, heads, position, 1f);

    /// <summary>Backward of <see cref="Forward"/> (the inverse rotation), in place on the gradient.</summary>
    public void Backward(Span<float> dx, int heads, int position) => Apply(dx, heads, position, -1f);

    void Apply(Span<float> x, int heads, int position, float sign)
    {
        int d = HeadDim, half = d / 2;
        var cos = _cos.AsSpan(position * half, half);
        var sin = _sin.AsSpan(position * half, half);
        for (int h = 0; h < heads; h++)
        {
            var v = x.Slice(h * d, d);
            for (int i = 0; i < half; i++)
            {
                float a = v[i], b = v[i + half], c = cos[i], s = sign * sin[i];
                v[i] = a * c - b * s;
                v[i + half] = b * c + a * s;
            }
        }
    }
}
