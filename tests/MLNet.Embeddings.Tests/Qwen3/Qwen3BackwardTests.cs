using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Qwen3;

namespace MLNet.Embeddings.Tests.Qwen3;

/// <summary>Central differences on every Qwen3 parameter type (causal, sliding and grouped-query layers).</summary>
public class Qwen3BackwardTests
{
    [Fact]
    public void GradientsMatchCentralDifferences()
    {
        var config = new Qwen3Config
        {
            VocabSize = 11, HiddenSize = 8, IntermediateSize = 12, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
            HeadDim = 6, MaxPositionEmbeddings = 16, RopeTheta = 100, AttentionBias = true, SlidingWindow = 3,
            LayerTypes = ["full_attention", "sliding_attention"], InitializerRange = 0.5f,
        };
        var model = Qwen3Backbone.Create(config, 3);
        var rng = new Random(4);
        foreach (var p in model.Parameters)
            if (p.Shape.Length == 1) for (int i = 0; i < p.Value.Length; i++) p.Value[i] += (float)(rng.NextDouble() - 0.5) * 0.4f;
        var batch = new TokenBatch(new[] { 1, 5, 7, 3, 2, 9, 3, 2, 4, 4, 6, 10, 3 }, new int[13], new[] { 0, 6, 7, 13 });
        var r = Enumerable.Range(0, batch.TotalTokens * 8).Select(i => (float)Math.Sin(i * 0.7)).ToArray();
        double Loss()
        {
            var o = model.ForwardTrain(batch, 0).Output;
            double l = 0; for (int i = 0; i < o.Length; i++) l += (double)o[i] * r[i];
            return l;
        }
        model.Backward(model.ForwardTrain(batch, 0), r);
        var pick = new Random(1);
        int checkedParams = 0;
        foreach (var p in model.Parameters)
        {
            var candidates = Enumerable.Range(0, p.Value.Length).Where(i => p.Grad[i] != 0 || !p.Name.StartsWith("embed", StringComparison.Ordinal)).ToList();
            double maxErr = 0, scale = 0;
            for (int t = 0; t < 5; t++)
            {
                int i = candidates[pick.Next(candidates.Count)];
                float old = p.Value[i];
                const float h = 1e-2f;
                p.Value[i] = old + h; double lp = Loss();
                p.Value[i] = old - h; double lm = Loss();
                p.Value[i] = old;
                double fd = (lp - lm) / (2 * h);
                maxErr = Math.Max(maxErr, Math.Abs(fd - p.Grad[i]));
                scale = Math.Max(scale, Math.Abs(fd));
            }
            Assert.True(maxErr <= 2e-2 * Math.Max(scale, 0.05), $"{p.Name}: |fd − analytic| = {maxErr:g3} (scale {scale:g3})");
            checkedParams++;
        }
        Assert.Equal(1 + 2 * (11 + 4) + 1, checkedParams); // embeddings, 11 weights and 4 biases per layer, final norm
    }

    [Fact]
    public void DropoutIsRefusedRatherThanIgnored()
    {
        var model = Qwen3Backbone.Create(new Qwen3Config { VocabSize = 5, HiddenSize = 8, IntermediateSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 1, HeadDim = 4, LayerTypes = ["full_attention"] }, 1);
        model.AttentionDropout = 0.1f;
        Assert.Throws<NotSupportedException>(() => model.ForwardTrain(new TokenBatch(new[] { 1, 2 }, new int[2], new[] { 0, 2 }), 1));
    }
}
