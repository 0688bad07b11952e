using System.Text.Json;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Gemma3;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tests.Bert;

namespace MLNet.Embeddings.Tests.Gemma3;

/// <summary>
/// The managed Gemma 3 backbone against a plain-PyTorch Gemma3TextModel written from Hugging Face's modeling_gemma3.py
/// (tools/fixtures/make_gemma3_fixture.py): √hidden embedding scale, (1 + w) RMSNorms around attention and feed-forward,
/// q/k norms, local and global rotary bases, grouped-query heads, EmbeddingGemma's bidirectional full and sliding
/// layers (and the causal variant), tanh-GELU GeGLU; and the Dense modules of EmbeddingGemma's head.
/// </summary>
public class Gemma3Tests
{
    static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "gemma3", name);

    static TokenBatch Batch(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(name), "inputs.json")));
        var ids = doc.RootElement.GetProperty("input_ids").EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToList();
        var starts = new int[ids.Count + 1];
        for (int i = 0; i < ids.Count; i++) starts[i + 1] = starts[i] + ids[i].Length;
        var flat = ids.SelectMany(x => x).ToArray();
        return new TokenBatch(flat, new int[flat.Length], starts);
    }

    [Theory]
    [InlineData("tiny-bidirectional")]
    [InlineData("tiny-causal")]
    public void HiddenStatesAndGradientsMatchPyTorch(string name)
    {
        var model = Gemma3Backbone.Load(Folder(name));
        var expected = BertFixture.Expected("../gemma3/" + name);
        var batch = Batch(name);
        double d = BertFixture.MaxAbsDiff(model.Forward(batch), expected["last_hidden_state"].Value);
        Assert.True(d < 1e-4, $"Forward differs from PyTorch by {d:g3}");
        model.Backward(model.ForwardTrain(batch, 1), expected["R"].Value);
        Assert.Equal(expected.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal)), model.Parameters.Count);
        foreach (var p in model.Parameters)
        {
            double err = BertFixture.RelativeError(p.Grad, expected["grad." + p.Name].Value);
            Assert.True(err < 1e-3, $"{p.Name}: relative gradient error {err:g3}");
        }
    }

    [Fact]
    public void SlidingWindowChangesTheLongSequencesOnly()
    {
        var name = "tiny-bidirectional"; // sliding_window 6: |i − j| ≤ 3 in layers 0 and 1
        var batch = Batch(name);
        var windowed = Gemma3Backbone.Load(Folder(name)).Forward(batch);
        var config = Gemma3Config.Load(Path.Combine(Folder(name), "config.json"));
        config.SlidingWindow = 1000;
        var wide = new Gemma3Backbone(config, SafeTensors.Read(Path.Combine(Folder(name), "model.safetensors"))).Forward(batch);
        int H = config.HiddenSize;
        for (int s = 0; s < batch.Count; s++)
        {
            double diff = BertFixture.MaxAbsDiff(windowed.AsSpan(batch.Starts[s] * H, batch.Length(s) * H), wide.AsSpan(batch.Starts[s] * H, batch.Length(s) * H));
            if (batch.Length(s) <= 4) Assert.True(diff < 1e-6, $"sequence {s} (length {batch.Length(s)}) changed by {diff}");
            else Assert.True(diff > 1e-3, $"sequence {s} (length {batch.Length(s)}) did not change");
        }
    }

    [Fact]
    public void GradientsMatchCentralDifferences()
    {
        var model = Gemma3Backbone.Load(Folder("tiny-causal"));
        var batch = new TokenBatch(new[] { 1, 5, 7, 3, 2, 9, 3, 2, 4, 4, 6, 10, 3 }, new int[13], new[] { 0, 6, 7, 13 });
        var r = Enumerable.Range(0, batch.TotalTokens * model.HiddenSize).Select(i => (float)Math.Sin(i * 0.7)).ToArray();
        double Loss()
        {
            var o = model.ForwardTrain(batch, 0).Output;
            double l = 0; for (int i = 0; i < o.Length; i++) l += (double)o[i] * r[i];
            return l;
        }
        model.Backward(model.ForwardTrain(batch, 0), r);
        var pick = new Random(1);
        foreach (var p in model.Parameters)
        {
            var candidates = Enumerable.Range(0, p.Value.Length).Where(i => p.Grad[i] != 0 || !p.Name.StartsWith("embed", StringComparison.Ordinal)).ToList();
            double maxErr = 0, scale = 0;
            for (int t = 0; t < 4; t++)
            {
                int i = candidates[pick.Next(candidates.Count)];
                float old = p.Value[i];
                // The embedding rows are small (std 0.1) and feed an RMSNorm: a smaller step keeps the difference linear.
                float h = p.Name.StartsWith("embed", StringComparison.Ordinal) ? 1e-3f : 1e-2f;
                p.Value[i] = old + h; double lp = Loss();
                p.Value[i] = old - h; double lm = Loss();
                p.Value[i] = old;
                double fd = (lp - lm) / (2 * h);
                maxErr = Math.Max(maxErr, Math.Abs(fd - p.Grad[i]));
                scale = Math.Max(scale, Math.Abs(fd));
            }
            Assert.True(maxErr <= 2e-2 * Math.Max(scale, 0.05), $"{p.Name}: |fd − analytic| = {maxErr:g3} (scale {scale:g3})");
        }
    }

    [Fact]
    public void DenseHeadForwardAndBackwardMatchPyTorch()
    {
        // Mean pooling → 2_Dense (bias, tanh) → 3_Dense (identity) → normalize, forward and backward.
        string folder = Folder("dense-head");
        var expected = BertFixture.ReadTensors(Path.Combine(folder, "expected.safetensors"));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "inputs.json")));
        var starts = doc.RootElement.GetProperty("starts").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var dense = new[] { DenseLayer.Load(Path.Combine(folder, "2_Dense")), DenseLayer.Load(Path.Combine(folder, "3_Dense")) };
        Assert.Equal(DenseActivation.Tanh, dense[0].Activation);
        Assert.Null(dense[1].Bias);
        var head = new PoolingHead(PoolingMode.Mean, normalize: true, dense: dense);
        var tokens = expected["tokens"].Value;
        int hidden = expected["tokens"].Shape[1];
        Assert.Equal(hidden, head.OutputDimensions(hidden));
        Assert.True(BertFixture.MaxAbsDiff(head.Forward(tokens, hidden, starts, []), expected["embeddings"].Value) < 1e-5);
        var dTokens = head.Backward(tokens, hidden, starts, [], expected["R"].Value);
        Assert.True(BertFixture.RelativeError(dTokens, expected["grad.tokens"].Value) < 1e-4);
        Assert.True(BertFixture.RelativeError(dense[0].Weight.Grad, expected["grad.2_Dense.linear.weight"].Value) < 1e-4);
        Assert.True(BertFixture.RelativeError(dense[0].Bias!.Grad, expected["grad.2_Dense.linear.bias"].Value) < 1e-4);
        Assert.True(BertFixture.RelativeError(dense[1].Weight.Grad, expected["grad.3_Dense.linear.weight"].Value) < 1e-4);
    }

    [Fact]
    public void DenseModuleWithWrongShapeNamesTheFileAndTensor()
    {
        string dir = Path.Combine(Path.GetTempPath(), "dense-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(dir);
            foreach (var f in Directory.EnumerateFiles(Path.Combine(Folder("dense-head"), "3_Dense"))) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            File.WriteAllText(Path.Combine(dir, "config.json"), "{\"in_features\": 96, \"out_features\": 16, \"bias\": false, \"activation_function\": \"torch.nn.modules.linear.Identity\"}");
            var e = Assert.Throws<ModelFormatException>(() => DenseLayer.Load(dir));
            Assert.Contains(Path.Combine(dir, "model.safetensors"), e.Message);
            Assert.Contains("linear.weight", e.Message);
            File.WriteAllText(Path.Combine(dir, "config.json"), "{\"in_features\": 96, \"out_features\": 32, \"bias\": false, \"activation_function\": \"torch.nn.modules.activation.GELU\"}");
            Assert.Contains("activation_function", Assert.Throws<ModelFormatException>(() => DenseLayer.Load(dir)).Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
