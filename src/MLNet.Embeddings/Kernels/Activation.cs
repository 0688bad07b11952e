using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MLNet.Embeddings.Kernels;

/// <summary>Element-wise feed-forward activations (GELU exact, GELU tanh, ReLU), forward and backward.</summary>
public static class Activation
{
    const float InvSqrt2 = 0.70710678118654752f;
    const float InvSqrt2Pi = 0.39894228040143268f;
    const float SqrtTwoOverPi = 0.79788456080286536f;
    const float GeluC = 0.044715f;
    // Abramowitz & Stegun 7.1.26: |error| ≤ 1.5e-7.
    const float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;

    /// <summary>Parses config.json's <c>hidden_act</c>; null when unsupported.</summary>
    public static ActivationKind? Parse(string name) => name switch
    {
        "gelu" => ActivationKind.Gelu,
        "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => ActivationKind.GeluTanh,
        "relu" => ActivationKind.Relu,
        _ => null,
    };

    /// <summary>The config.json name of <paramref name="kind"/>.</summary>
    public static string Name(ActivationKind kind) => kind switch
    {
        ActivationKind.Gelu => "gelu",
        ActivationKind.GeluTanh => "gelu_new",
        _ => "relu",
    };

    /// <summary>The error function in single precision (absolute error ≤ 1.5e-7).</summary>
    public static float Erf(float x)
    {
        float ax = MathF.Abs(x);
        float t = 1f / (1f + P * ax);
        float y = 1f - (((((A5 * t + A4) * t) + A3) * t + A2) * t + A1) * t * MathF.Exp(-ax * ax);
        return x < 0 ? -y : y;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Erf(Vector256<float> x)
    {
        var ax = Vector256.Abs(x);
        var one = Vector256<float>.One;
        var t = one / (one + Vector256.Create(P) * ax);
        var poly = ((((Vector256.Create(A5) * t + Vector256.Create(A4)) * t + Vector256.Create(A3)) * t + Vector256.Create(A2)) * t + Vector256.Create(A1)) * t;
        var y = one - poly * VectorExp.Exp(-(ax * ax));
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), -y, y);
    }

    // erf(x) ≈ x·P(x²)/Q(x²) on [−4, 4] (the rational fit XLA and Eigen use for float; outside, erf is ±1 in float):
    // no exp, about half the instructions of the A&S form. |error| ≤ 4e-7 (3.3e-7 measured; ErfMatchesSeries checks it).
    const float E1 = -1.60960333262415e-02f, E3 = -2.95459980854025e-03f, E5 = -7.34990630326855e-04f, E7 = -5.69250639462346e-05f,
        E9 = -2.10102402082508e-06f, E11 = 2.77068142495902e-08f, E13 = -2.72614225801306e-10f;
    const float F0 = -1.42647390514189e-02f, F2 = -7.37332916720468e-03f, F4 = -1.68282697438203e-03f, F6 = -2.13374055278905e-04f,
        F8 = -1.45660718464996e-05f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Erf(Vector512<float> x)
    {
        x = Vector512.MinNative(Vector512.MaxNative(x, Vector512.Create(-4f)), Vector512.Create(4f));
        var x2 = x * x;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(E13), x2, Vector512.Create(E11));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(E9));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(E7));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(E5));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(E3));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(E1));
        var q = Vector512.FusedMultiplyAdd(Vector512.Create(F8), x2, Vector512.Create(F6));
        q = Vector512.FusedMultiplyAdd(q, x2, Vector512.Create(F4));
        q = Vector512.FusedMultiplyAdd(q, x2, Vector512.Create(F2));
        q = Vector512.FusedMultiplyAdd(q, x2, Vector512.Create(F0));
        return x * p * VectorExp.Reciprocal(q);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Tanh(Vector512<float> u)
    {
        var one = Vector512<float>.One;
        return one - Vector512.Create(2f) * VectorExp.Reciprocal(VectorExp.Exp(u + u) + one);
    }

    /// <summary>The 512-bit forward loop, one loop per kind (the kind is not re-tested per vector); returns where it stopped.</summary>
    static int Forward512(ActivationKind kind, ref float xr, ref float yr, int n)
    {
        int i = 0;
        var half = Vector512.Create(0.5f);
        var one = Vector512<float>.One;
        switch (kind)
        {
            case ActivationKind.Gelu:
                for (; i <= n - 16; i += 16)
                {
                    var v = Vector512.LoadUnsafe(ref xr, (nuint)i);
                    (half * v * (one + Erf(v * Vector512.Create(InvSqrt2)))).StoreUnsafe(ref yr, (nuint)i);
                }
                break;
            case ActivationKind.GeluTanh:
                for (; i <= n - 16; i += 16)
                {
                    var v = Vector512.LoadUnsafe(ref xr, (nuint)i);
                    (half * v * (one + Tanh(Vector512.Create(SqrtTwoOverPi) * (v + Vector512.Create(GeluC) * v * v * v)))).StoreUnsafe(ref yr, (nuint)i);
                }
                break;
            default:
                for (; i <= n - 16; i += 16)
                    Vector512.MaxNative(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512<float>.Zero).StoreUnsafe(ref yr, (nuint)i);
                break;
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Tanh(float u) => 1f - 2f / (MathF.Exp(2f * u) + 1f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Tanh(Vector256<float> u)
    {
        var one = Vector256<float>.One;
        return one - Vector256.Create(2f) / (VectorExp.Exp(u + u) + one);
    }

    /// <summary><c>y = act(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    public static void Forward(ActivationKind kind, ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length) throw new ArgumentException("Output is shorter than input.", nameof(y));
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            i = Forward512(kind, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), n);
        if (Vector256.IsHardwareAccelerated)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            var half = Vector256.Create(0.5f);
            for (; i <= n - 8; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                Vector256<float> r = kind switch
                {
                    ActivationKind.Gelu => half * v * (Vector256<float>.One + Erf(v * Vector256.Create(InvSqrt2))),
                    ActivationKind.GeluTanh => half * v * (Vector256<float>.One + Tanh(Vector256.Create(SqrtTwoOverPi) * (v + Vector256.Create(GeluC) * v * v * v))),
                    _ => Vector256.Max(v, Vector256<float>.Zero),
                };
                r.StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++) y[i] = Scalar(kind, x[i]);
    }

    static float Scalar(ActivationKind kind, float v) => kind switch
    {
        ActivationKind.Gelu => 0.5f * v * (1f + Erf(v * InvSqrt2)),
        ActivationKind.GeluTanh => 0.5f * v * (1f + Tanh(SqrtTwoOverPi * (v + GeluC * v * v * v))),
        _ => v > 0 ? v : 0f,
    };

    /// <summary>
    /// Backward: <c>dx = dy · act'(x)</c> where <paramref name="x"/> is the activation's input.
    /// <paramref name="dx"/> may be <paramref name="dy"/>.
    /// </summary>
    public static void Backward(ActivationKind kind, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (dy.Length < x.Length || dx.Length < x.Length) throw new ArgumentException("Gradient spans are shorter than the input.");
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated && kind == ActivationKind.Gelu)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float dyr = ref MemoryMarshal.GetReference(dy);
            ref float dxr = ref MemoryMarshal.GetReference(dx);
            var half = Vector512.Create(0.5f);
            for (; i <= n - 16; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref xr, (nuint)i);
                var cdf = half * (Vector512<float>.One + Erf(v * Vector512.Create(InvSqrt2)));
                var pdf = Vector512.Create(InvSqrt2Pi) * VectorExp.Exp(-half * v * v);
                (Vector512.LoadUnsafe(ref dyr, (nuint)i) * (cdf + v * pdf)).StoreUnsafe(ref dxr, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float dyr = ref MemoryMarshal.GetReference(dy);
            ref float dxr = ref MemoryMarshal.GetReference(dx);
            var half = Vector256.Create(0.5f);
            var one = Vector256<float>.One;
            for (; i <= n - 8; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                var g = Vector256.LoadUnsafe(ref dyr, (nuint)i);
                Vector256<float> d;
                if (kind == ActivationKind.Gelu)
                {
                    var cdf = half * (one + Erf(v * Vector256.Create(InvSqrt2)));
                    var pdf = Vector256.Create(InvSqrt2Pi) * VectorExp.Exp(-half * v * v);
                    d = cdf + v * pdf;
                }
                else if (kind == ActivationKind.GeluTanh)
                {
                    var v2 = v * v;
                    var th = Tanh(Vector256.Create(SqrtTwoOverPi) * (v + Vector256.Create(GeluC) * v2 * v));
                    d = half * (one + th) + half * v * (one - th * th) * Vector256.Create(SqrtTwoOverPi) * (one + Vector256.Create(3f * GeluC) * v2);
                }
                else d = Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero), one, Vector256<float>.Zero);
                (g * d).StoreUnsafe(ref dxr, (nuint)i);
            }
        }
        for (; i < n; i++) dx[i] = dy[i] * ScalarDerivative(kind, x[i]);
    }

    static float ScalarDerivative(ActivationKind kind, float v)
    {
        switch (kind)
        {
            case ActivationKind.Gelu:
                return 0.5f * (1f + Erf(v * InvSqrt2)) + v * InvSqrt2Pi * MathF.Exp(-0.5f * v * v);
            case ActivationKind.GeluTanh:
                float th = Tanh(SqrtTwoOverPi * (v + GeluC * v * v * v));
                return 0.5f * (1f + th) + 0.5f * v * (1f - th * th) * SqrtTwoOverPi * (1f + 3f * GeluC * v * v);
            default:
                return v > 0 ? 1f : 0f;
        }
    }
}
