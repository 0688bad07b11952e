using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MLNet.Embeddings.Kernels;

/// <summary>
/// Short-row reductions and updates (one attention row, one hidden vector) as plain SIMD loops. On rows of a few
/// hundred floats these are several times faster than the TensorPrimitives calls they replace (measured: a
/// 128-float in-place multiply 12 ns vs 96 ns), whose per-call set-up dominates at that size.
/// </summary>
internal static class RowOps
{
    /// <summary>Largest value of a non-empty row.</summary>
    public static float Max(ReadOnlySpan<float> x)
    {
        ref float r = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        float max = float.NegativeInfinity;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var m = Vector512.LoadUnsafe(ref r);
            for (i = 16; i <= n - 16; i += 16) m = Vector512.MaxNative(m, Vector512.LoadUnsafe(ref r, (nuint)i));
            max = HorizontalMax(m);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var m = Vector256.LoadUnsafe(ref r);
            for (i = 8; i <= n - 8; i += 8) m = Vector256.MaxNative(m, Vector256.LoadUnsafe(ref r, (nuint)i));
            for (int k = 0; k < 8; k++) max = MathF.Max(max, m.GetElement(k));
        }
        for (; i < n; i++) max = MathF.Max(max, x[i]);
        return max;
    }

    static float HorizontalMax(Vector512<float> m)
    {
        var h = Vector256.MaxNative(m.GetLower(), m.GetUpper());
        var q = Vector128.MaxNative(h.GetLower(), h.GetUpper());
        float a = MathF.Max(q.GetElement(0), q.GetElement(1)), b = MathF.Max(q.GetElement(2), q.GetElement(3));
        return MathF.Max(a, b);
    }

    /// <summary>Sum of a row.</summary>
    public static float Sum(ReadOnlySpan<float> x)
    {
        ref float r = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16) acc += Vector512.LoadUnsafe(ref r, (nuint)i);
            sum = Vector512.Sum(acc);
        }
        if (Vector256.IsHardwareAccelerated && n - i >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8) acc += Vector256.LoadUnsafe(ref r, (nuint)i);
            sum += Vector256.Sum(acc);
        }
        for (; i < n; i++) sum += x[i];
        return sum;
    }

    /// <summary><c>x *= s</c> in place.</summary>
    public static void Scale(Span<float> x, float s)
    {
        ref float r = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var v = Vector512.Create(s);
            for (; i <= n - 16; i += 16) (Vector512.LoadUnsafe(ref r, (nuint)i) * v).StoreUnsafe(ref r, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var v = Vector256.Create(s);
            for (; i <= n - 8; i += 8) (Vector256.LoadUnsafe(ref r, (nuint)i) * v).StoreUnsafe(ref r, (nuint)i);
        }
        for (; i < n; i++) x[i] *= s;
    }

    /// <summary><c>y = x − m</c>; returns <c>Σ (x − m)²</c>. <paramref name="y"/> may be <paramref name="x"/>.</summary>
    public static float CenterAndSumSquares(ReadOnlySpan<float> x, float m, Span<float> y)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var mv = Vector512.Create(m);
            var acc = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                var d = Vector512.LoadUnsafe(ref xr, (nuint)i) - mv;
                d.StoreUnsafe(ref yr, (nuint)i);
                acc = Vector512.FusedMultiplyAdd(d, d, acc);
            }
            sum = Vector512.Sum(acc);
        }
        for (; i < n; i++) { float d = x[i] - m; y[i] = d; sum += d * d; }
        return sum;
    }

    /// <summary><c>y = y·s·γ + β</c> in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaleMultiplyAdd(Span<float> y, float s, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta)
    {
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float g = ref MemoryMarshal.GetReference(gamma);
        ref float b = ref MemoryMarshal.GetReference(beta);
        int n = y.Length, i = 0;
        if (gamma.Length < n || beta.Length < n) throw new ArgumentException("gamma and beta must be as long as the row.");
        if (Vector512.IsHardwareAccelerated)
        {
            var sv = Vector512.Create(s);
            for (; i <= n - 16; i += 16)
                Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref yr, (nuint)i) * sv, Vector512.LoadUnsafe(ref g, (nuint)i), Vector512.LoadUnsafe(ref b, (nuint)i))
                    .StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < n; i++) y[i] = y[i] * s * gamma[i] + beta[i];
    }
}
