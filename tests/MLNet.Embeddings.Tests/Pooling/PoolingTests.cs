using System.Text.Json;
using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings.Tests.PoolingKernels;

public class PoolingTests
{
    static readonly Dictionary<string, PoolingMode> Modes = new()
    {
        ["mean"] = PoolingMode.Mean, ["cls"] = PoolingMode.Cls, ["max"] = PoolingMode.Max,
        ["mean_sqrt_len_tokens"] = PoolingMode.MeanSqrtLen, ["weightedmean"] = PoolingMode.WeightedMean,
        ["lasttoken"] = PoolingMode.LastToken,
    };

    static float[] Floats(JsonElement e) => e.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();

    [Fact]
    public void ForwardAndBackwardMatchPyTorch()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pooling", "pooling.json")));
        var root = doc.RootElement;
        int hidden = root.GetProperty("hidden").GetInt32();
        var starts = root.GetProperty("starts").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var tokens = Floats(root.GetProperty("tokens"));
        int count = starts.Length - 1, checkedCases = 0;
        foreach (var c in root.GetProperty("cases").EnumerateArray())
        {
            var mode = Modes[c.GetProperty("mode").GetString()!];
            int promptLength = c.GetProperty("prompt_length").GetInt32();
            bool normalize = c.GetProperty("normalize").GetBoolean();
            int? dims = c.GetProperty("dims").ValueKind == JsonValueKind.Null ? null : c.GetProperty("dims").GetInt32();
            var skip = Enumerable.Repeat(promptLength, count).ToArray();
            var head = new PoolingHead(mode, normalize, dims);
            int outDims = head.OutputDimensions(hidden);
            var output = head.Forward(tokens, hidden, starts, skip);
            var expected = Floats(c.GetProperty("output"));
            var upstream = Floats(c.GetProperty("upstream"));
            var grad = head.Backward(tokens, hidden, starts, skip, upstream);
            var expectedGrad = Floats(c.GetProperty("grad"));
            string label = $"{mode} prompt={promptLength} normalize={normalize} dims={dims}";
            for (int i = 0; i < count; i++)
            {
                int length = starts[i + 1] - starts[i];
                bool empty = mode != PoolingMode.Cls && length <= promptLength;
                for (int d = 0; d < outDims; d++)
                {
                    // sentence-transformers' max pooling gives -1e9 for a sequence with nothing to pool; we give zero.
                    float want = empty ? 0f : expected[i * outDims + d];
                    Assert.True(Math.Abs(output[i * outDims + d] - want) < 1e-5, $"{label} row {i} dim {d}: {output[i * outDims + d]} vs {want}");
                }
                for (int t = starts[i] * hidden; t < starts[i + 1] * hidden; t++)
                {
                    float want = empty ? 0f : expectedGrad[t];
                    Assert.True(Math.Abs(grad[t] - want) < 1e-5 * Math.Max(1, Math.Abs(want)), $"{label} grad[{t}]: {grad[t]} vs {want}");
                }
            }
            checkedCases++;
        }
        Assert.Equal(6 * 2 * 3, checkedCases);
    }

    [Theory]
    [InlineData(PoolingMode.Mean, false, null)]
    [InlineData(PoolingMode.Cls, true, null)]
    [InlineData(PoolingMode.Max, false, null)]
    [InlineData(PoolingMode.MeanSqrtLen, true, 3)]
    [InlineData(PoolingMode.WeightedMean, true, null)]
    [InlineData(PoolingMode.LastToken, false, 2)]
    [InlineData(PoolingMode.Max, true, 4)]
    public void BackwardMatchesFiniteDifferences(PoolingMode mode, bool normalize, int? dims)
    {
        const int hidden = 6;
        var starts = new[] { 0, 4, 4, 9, 10 }; // includes an empty sequence
        var skip = new[] { 1, 0, 2, 0 };
        var rng = new Random(7);
        var tokens = Enumerable.Range(0, starts[^1] * hidden).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var head = new PoolingHead(mode, normalize, dims);
        int outDims = head.OutputDimensions(hidden);
        var upstream = Enumerable.Range(0, 4 * outDims).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        double Loss(float[] x)
        {
            var y = head.Forward(x, hidden, starts, skip);
            double s = 0; for (int i = 0; i < y.Length; i++) s += (double)y[i] * upstream[i];
            return s;
        }
        var grad = head.Backward(tokens, hidden, starts, skip, upstream);
        const float eps = 1e-3f;
        for (int j = 0; j < tokens.Length; j++)
        {
            var x = (float[])tokens.Clone();
            x[j] = tokens[j] + eps; double up = Loss(x);
            x[j] = tokens[j] - eps; double down = Loss(x);
            double numeric = (up - down) / (2 * eps);
            Assert.True(Math.Abs(numeric - grad[j]) < 2e-3 * Math.Max(1, Math.Abs(numeric)), $"{mode} token value {j}: analytic {grad[j]} numeric {numeric}");
        }
    }

    [Theory]
    [InlineData(PoolingMode.Mean)]
    [InlineData(PoolingMode.Cls)]
    [InlineData(PoolingMode.Max)]
    [InlineData(PoolingMode.MeanSqrtLen)]
    [InlineData(PoolingMode.WeightedMean)]
    [InlineData(PoolingMode.LastToken)]
    public void EmptySequencesGiveZeroVectors(PoolingMode mode)
    {
        var starts = new[] { 0, 0, 2, 2 };
        var tokens = new[] { 1f, 2f, 3f, 4f };
        var output = new float[3 * 2];
        Array.Fill(output, 99f);
        Pooler.Forward(mode, tokens, 2, starts, ReadOnlySpan<int>.Empty, output);
        Assert.Equal(new[] { 0f, 0f }, output[..2]);
        Assert.Equal(new[] { 0f, 0f }, output[4..]);
        Assert.NotEqual(new[] { 0f, 0f }, output[2..4]);
        var normalized = new PoolingHead(mode, normalize: true).Forward(tokens, 2, starts, ReadOnlySpan<int>.Empty);
        Assert.All(normalized[..2].Concat(normalized[4..]), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void HandComputedValuesPerMode()
    {
        // one sequence of three 1-d tokens: 1, 4, 2
        var tokens = new[] { 1f, 4f, 2f };
        var starts = new[] { 0, 3 };
        float Pool(PoolingMode m, int skip = 0)
        {
            var o = new float[1];
            Pooler.Forward(m, tokens, 1, starts, skip == 0 ? ReadOnlySpan<int>.Empty : new[] { skip }, o);
            return o[0];
        }
        Assert.Equal(7f / 3, Pool(PoolingMode.Mean), 6);
        Assert.Equal(1f, Pool(PoolingMode.Cls));
        Assert.Equal(4f, Pool(PoolingMode.Max));
        Assert.Equal(7f / MathF.Sqrt(3), Pool(PoolingMode.MeanSqrtLen), 5);
        Assert.Equal((1f * 1 + 4f * 2 + 2f * 3) / 6, Pool(PoolingMode.WeightedMean), 6);
        Assert.Equal(2f, Pool(PoolingMode.LastToken));
        // skipping the first two tokens (e.g. [CLS] + a one-token prompt)
        Assert.Equal(2f, Pool(PoolingMode.Mean, 2));
        Assert.Equal(1f, Pool(PoolingMode.Cls, 2)); // CLS ignores the prompt mask, like sentence-transformers
        Assert.Equal(2f, Pool(PoolingMode.Max, 2));
        Assert.Equal((4f * 2 + 2f * 3) / 5, Pool(PoolingMode.WeightedMean, 1), 5); // weights keep their positions 2 and 3
    }

    [Fact]
    public void L2NormalisesLikeTorchIncludingZeroVector()
    {
        var x = new[] { 3f, 4f, 0f, 0f };
        var y = new float[4];
        L2Norm.Forward(x, 2, y);
        Assert.Equal(new[] { 0.6f, 0.8f, 0f, 0f }, y);
        var g = new[] { 1f, 0f, 1f, 2f };
        var dx = new float[4];
        L2Norm.Backward(x, 2, g, dx);
        // (g - y (y·g)) / |x| = ((1,0) - (0.6,0.8)*0.6) / 5
        Assert.Equal((1 - 0.36f) / 5, dx[0], 6);
        Assert.Equal(-0.48f / 5, dx[1], 6);
        Assert.Equal(1f / L2Norm.Epsilon, dx[2], 0);
    }

    [Fact]
    public void MatryoshkaKeepsLeadingDimensionsThenNormalises()
    {
        var tokens = new[] { 3f, 4f, 12f, 5f };
        var head = new PoolingHead(PoolingMode.Cls, normalize: true, dimensions: 2);
        var y = head.Forward(tokens, 4, new[] { 0, 1 }, ReadOnlySpan<int>.Empty);
        Assert.Equal(new[] { 0.6f, 0.8f }, y);
        Assert.Equal(4, new PoolingHead(PoolingMode.Cls, false, 10).OutputDimensions(4));
    }

    [Fact]
    public void RejectsMismatchedShapes()
    {
        Assert.Throws<ArgumentException>(() => Pooler.Forward(PoolingMode.Mean, new float[5], 2, new[] { 0, 3 }, ReadOnlySpan<int>.Empty, new float[2]));
        Assert.Throws<ArgumentException>(() => Pooler.Forward(PoolingMode.Mean, new float[6], 2, new[] { 0, 3 }, ReadOnlySpan<int>.Empty, new float[3]));
        Assert.Throws<ArgumentException>(() => Pooler.Forward(PoolingMode.Mean, new float[6], 2, new[] { 0, 3 }, new[] { 1, 1 }, new float[2]));
    }
}
