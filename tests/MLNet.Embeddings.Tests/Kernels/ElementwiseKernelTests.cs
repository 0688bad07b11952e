using System.Runtime.Intrinsics;
using MLNet.Embeddings.Kernels;

namespace MLNet.Embeddings.Tests.Kernels;

public class ElementwiseKernelTests
{
    static float[] Random(int n, int seed, double scale = 1)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)((r.NextDouble() * 2 - 1) * scale);
        return a;
    }

    // erf by its Maclaurin series in double (converges well for |x| ≤ 3) and 1 − erfc asymptotics beyond.
    static double ErfReference(double x)
    {
        if (Math.Abs(x) > 5) return Math.Sign(x);
        double sum = 0, term = x; int n = 0;
        while (Math.Abs(term) > 1e-17 * Math.Max(1, Math.Abs(sum)) || n < 5)
        {
            sum += term / (2 * n + 1);
            n++;
            term *= -x * x / n;
            if (n > 200) break;
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    [Fact]
    public void ErfMatchesSeries()
    {
        for (double x = -4; x <= 4; x += 0.0371)
            Assert.True(Math.Abs(Activation.Erf((float)x) - ErfReference(x)) < 3e-7, $"erf({x})");
        double worst = 0;
        for (double x = -6; x <= 6; x += 0.00137)
            worst = Math.Max(worst, Math.Abs(Activation.Erf(Vector512.Create((float)x)).GetElement(5) - ErfReference((float)x)));
        Assert.InRange(worst, 0, 4e-7); // the 512-bit rational form (measured 3.3e-7)
    }

    [Theory]
    [InlineData(ActivationKind.Gelu)]
    [InlineData(ActivationKind.GeluTanh)]
    [InlineData(ActivationKind.Relu)]
    public void ActivationForwardMatchesFormulaAndBackwardMatchesFiniteDifferences(ActivationKind kind)
    {
        var x = Random(203, 7, 4);
        var y = new float[x.Length];
        Activation.Forward(kind, x, y);
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double expected = kind switch
            {
                ActivationKind.Gelu => 0.5 * v * (1 + ErfReference(v / Math.Sqrt(2))),
                ActivationKind.GeluTanh => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))),
                _ => Math.Max(0, v),
            };
            Assert.True(Math.Abs(expected - y[i]) < 2e-6, $"{kind}({v}) = {y[i]}, expected {expected}");
        }
        var dy = Random(x.Length, 8);
        var dx = new float[x.Length];
        Activation.Backward(kind, x, dy, dx);
        for (int i = 0; i < x.Length; i++)
        {
            if (kind == ActivationKind.Relu && Math.Abs(x[i]) < 1e-2) continue;
            float h = 1e-2f;
            var p = new[] { x[i] + h, x[i] - h }; var q = new float[2];
            Activation.Forward(kind, p, q);
            double fd = (q[0] - q[1]) / (2.0 * h) * dy[i];
            Assert.True(Math.Abs(fd - dx[i]) < 2e-3, $"{kind}' at {x[i]}: {dx[i]} vs {fd}");
        }
    }

    [Fact]
    public void VectorExpIsWithinTwoUlpOfDoubleExp()
    {
        double worst512 = 0, worst256 = 0;
        for (double x = -87; x < 88; x += 0.00731)
        {
            double e = Math.Exp((float)x);
            worst512 = Math.Max(worst512, Math.Abs(VectorExp.Exp(Vector512.Create((float)x)).GetElement(7) - e) / e);
            worst256 = Math.Max(worst256, Math.Abs(VectorExp.Exp(Vector256.Create((float)x)).GetElement(3) - e) / e);
        }
        Assert.InRange(worst512, 0, 2.5e-7);
        Assert.InRange(worst256, 0, 2.5e-7);
        Assert.Equal(1f, VectorExp.Exp(Vector512<float>.Zero).GetElement(0));
        Assert.InRange(VectorExp.Exp(Vector512.Create(-1000f)).GetElement(0), 0f, 1e-37f); // clamped, not NaN
        var r = VectorExp.Reciprocal(Vector512.Create(3f)).GetElement(0);
        Assert.InRange(Math.Abs(r - 1.0 / 3) * 3, 0, 2e-7);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(128)]
    public void ScaledSoftmaxEqualsSoftmaxOfScaledInput(int cols)
    {
        int rows = 4;
        var x = Random(rows * cols, cols, 6);
        var scaled = x.Select(v => v * 0.125f).ToArray();
        var a = (float[])x.Clone();
        Softmax.Forward(a, rows, cols, cols, 0.125f);
        Softmax.Forward(scaled, rows, cols, cols);
        for (int i = 0; i < a.Length; i++) Assert.Equal(scaled[i], a[i], 6);
        for (int r = 0; r < rows; r++) Assert.Equal(1.0, a.Skip(r * cols).Take(cols).Sum(v => (double)v), 5);
    }

    [Fact]
    public void SoftmaxRowsSumToOneAndBackwardMatchesFiniteDifferences()
    {
        int rows = 3, cols = 11, ld = 13;
        var x = Random(rows * ld, 3, 3);
        var p = (float[])x.Clone();
        Softmax.Forward(p, rows, cols, ld);
        for (int r = 0; r < rows; r++)
        {
            double s = 0; double max = double.MinValue;
            for (int i = 0; i < cols; i++) max = Math.Max(max, x[r * ld + i]);
            for (int i = 0; i < cols; i++) s += Math.Exp(x[r * ld + i] - max);
            for (int i = 0; i < cols; i++) Assert.Equal(Math.Exp(x[r * ld + i] - max) / s, p[r * ld + i], 5);
        }
        var g = Random(rows * ld, 4);
        var dx = new float[rows * ld];
        Softmax.Backward(p, g, dx, rows, cols, ld);
        // loss = Σ g·softmax(x)
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < cols; i++)
            {
                double Loss(float delta)
                {
                    var xx = (float[])x.Clone(); xx[r * ld + i] += delta;
                    Softmax.Forward(xx, rows, cols, ld);
                    double l = 0; for (int j = 0; j < cols; j++) l += (double)g[r * ld + j] * xx[r * ld + j];
                    return l;
                }
                double fd = (Loss(1e-2f) - Loss(-1e-2f)) / 2e-2;
                Assert.True(Math.Abs(fd - dx[r * ld + i]) < 1e-3, $"softmax grad [{r},{i}]");
            }
    }

    [Fact]
    public void LayerNormMatchesFormulaAndBackwardMatchesFiniteDifferences()
    {
        int rows = 4, cols = 19; float eps = 1e-12f;
        var x = Random(rows * cols, 5, 2);
        var gamma = Random(cols, 6); var beta = Random(cols, 7);
        var y = new float[x.Length]; var mean = new float[rows]; var rstd = new float[rows];
        LayerNorm.Forward(x, gamma, beta, y, mean, rstd, rows, cols, eps);
        for (int r = 0; r < rows; r++)
        {
            double m = 0; for (int i = 0; i < cols; i++) m += x[r * cols + i]; m /= cols;
            double v = 0; for (int i = 0; i < cols; i++) v += Math.Pow(x[r * cols + i] - m, 2); v /= cols;
            for (int i = 0; i < cols; i++)
                Assert.Equal((x[r * cols + i] - m) / Math.Sqrt(v + eps) * gamma[i] + beta[i], y[r * cols + i], 4);
        }
        var g = Random(rows * cols, 8);
        var dx = new float[x.Length]; var dg = new float[cols]; var db = new float[cols];
        LayerNorm.Backward(g, x, mean, rstd, gamma, dx, dg, db, rows, cols);
        double Loss(float[] xx, float[] gg, float[] bb)
        {
            var yy = new float[xx.Length];
            LayerNorm.Forward(xx, gg, bb, yy, new float[rows], new float[rows], rows, cols, eps);
            double l = 0; for (int i = 0; i < yy.Length; i++) l += (double)g[i] * yy[i];
            return l;
        }
        float h = 1e-2f;
        for (int i = 0; i < x.Length; i += 5)
        {
            var a = (float[])x.Clone(); a[i] += h; var b = (float[])x.Clone(); b[i] -= h;
            Assert.True(Math.Abs((Loss(a, gamma, beta) - Loss(b, gamma, beta)) / (2 * h) - dx[i]) < 2e-3, $"dx[{i}]");
        }
        for (int i = 0; i < cols; i++)
        {
            var a = (float[])gamma.Clone(); a[i] += h; var b = (float[])gamma.Clone(); b[i] -= h;
            Assert.True(Math.Abs((Loss(x, a, beta) - Loss(x, b, beta)) / (2 * h) - dg[i]) < 2e-3, $"dgamma[{i}]");
            var c = (float[])beta.Clone(); c[i] += h; var d = (float[])beta.Clone(); d[i] -= h;
            Assert.True(Math.Abs((Loss(x, gamma, c) - Loss(x, gamma, d)) / (2 * h) - db[i]) < 2e-3, $"dbeta[{i}]");
        }
    }

    [Fact]
    public void LinearBackwardMatchesNaive()
    {
        int rows = 5, inF = 7, outF = 3;
        var x = Random(rows * inF, 1); var w = Random(outF * inF, 2); var b = Random(outF, 3);
        var y = new float[rows * outF];
        Linear.Forward(x, w, b, y, rows, inF, outF);
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outF; o++)
            {
                double s = b[o]; for (int i = 0; i < inF; i++) s += (double)x[r * inF + i] * w[o * inF + i];
                Assert.True(Math.Abs(s - y[r * outF + o]) < 1e-5);
            }
        var dy = Random(rows * outF, 4);
        var dx = new float[rows * inF]; var dw = new float[outF * inF]; var db = new float[outF];
        Linear.Backward(dy, x, w, dx, dw, db, rows, inF, outF);
        for (int o = 0; o < outF; o++)
        {
            double sb = 0; for (int r = 0; r < rows; r++) sb += dy[r * outF + o];
            Assert.True(Math.Abs(sb - db[o]) < 1e-5);
            for (int i = 0; i < inF; i++)
            {
                double s = 0; for (int r = 0; r < rows; r++) s += (double)dy[r * outF + o] * x[r * inF + i];
                Assert.True(Math.Abs(s - dw[o * inF + i]) < 1e-5);
            }
        }
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < inF; i++)
            {
                double s = 0; for (int o = 0; o < outF; o++) s += (double)dy[r * outF + o] * w[o * inF + i];
                Assert.True(Math.Abs(s - dx[r * inF + i]) < 1e-5);
            }
    }

    [Fact]
    public void DropoutIsDeterministicAndKeepsExpectedFraction()
    {
        var a = new float[10000]; Array.Fill(a, 1f);
        var b = (float[])a.Clone(); var c = (float[])a.Clone();
        ulong s1 = Dropout.Stream(42, 0, 1), s2 = Dropout.Stream(43, 0, 1);
        Dropout.Apply(a, s1, 0, 0.25f);
        Dropout.Apply(b, s1, 0, 0.25f);
        Dropout.Apply(c, s2, 0, 0.25f);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        int kept = a.Count(v => v != 0);
        Assert.InRange(kept, 7200, 7800);
        Assert.All(a, v => Assert.True(v == 0 || Math.Abs(v - 1f / 0.75f) < 1e-6));
    }
}
