using System.Runtime.CompilerServices;

namespace MLNet.Embeddings.Kernels;

/// <summary>
/// Inverted dropout with masks drawn from a counter-based hash of (seed, stream, index): no shared random state,
/// so a forward pass replays exactly and the backward pass recomputes the mask instead of storing it.
/// </summary>
public static class Dropout
{
    /// <summary>A stream id for one dropout site (e.g. layer 3, attention probabilities) under a seed.</summary>
    public static ulong Stream(ulong seed, int layer, int site) => Mix(seed ^ Mix(((ulong)(uint)layer << 32) | (uint)site) ^ 0x9E3779B97F4A7C15UL);

    /// <summary>SplitMix64 finaliser.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Whether element <paramref name="index"/> of <paramref name="stream"/> is kept at drop rate <paramref name="rate"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Keep(ulong stream, long index, float rate)
        => (Mix(stream + (ulong)index * 0xD1B54A32D192ED03UL) >> 40) * (1.0f / (1 << 24)) >= rate;

    /// <summary>
    /// Applies dropout in place to <paramref name="x"/>, whose first element has index <paramref name="offset"/>
    /// in the stream: dropped elements become 0, kept ones are scaled by 1/(1−rate). The backward pass is the
    /// same call on the gradient.
    /// </summary>
    public static void Apply(Span<float> x, ulong stream, long offset, float rate)
    {
        if (rate <= 0f) return;
        if (rate >= 1f) { x.Clear(); return; }
        float scale = 1f / (1f - rate);
        for (int i = 0; i < x.Length; i++)
            x[i] = Keep(stream, offset + i, rate) ? x[i] * scale : 0f;
    }
}
