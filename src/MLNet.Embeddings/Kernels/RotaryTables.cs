namespace MLNet.Embeddings.Kernels;

/// <summary>
/// The rotary cos/sin tables of one model, one per base (theta: global and local layers may differ), each grown to the
/// longest sequence seen (at least 64 positions, doubling, never past the model's position count). Thread-safe.
/// </summary>
internal sealed class RotaryTables(int headDim, int maxPositions)
{
    readonly Dictionary<double, Rotary> _byTheta = new();

    /// <summary>The table for <paramref name="theta"/> covering at least <paramref name="length"/> positions.</summary>
    public Rotary For(double theta, int length)
    {
        lock (_byTheta)
        {
            if (_byTheta.TryGetValue(theta, out var r) && r.Positions >= length) return r;
            r = new Rotary(headDim, theta, Math.Max(length, Math.Min(maxPositions, Math.Max(64, (r?.Positions ?? 0) * 2))));
            _byTheta[theta] = r;
            return r;
        }
    }
}
