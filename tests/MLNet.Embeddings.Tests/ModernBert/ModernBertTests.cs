using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.ModernBert;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tests.Bert;

namespace MLNet.Embeddings.Tests.ModernBert;

/// <summary>
/// The managed ModernBERT backbone against a plain-PyTorch ModernBertModel written from Hugging Face's
/// modeling_modernbert.py (tools/fixtures/make_modernbert_fixture.py): alternating global and sliding-window layers
/// over sequences shorter and longer than the window, global and local rotary bases, GeGLU, LayerNorms with and without
/// bias, a <c>model.</c>-prefixed masked-LM checkpoint; and a modernbert-embed-shaped folder in F16.
/// </summary>
public class ModernBertTests
{
    static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "modernbert", name);

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
    [InlineData("tiny-local-window")]
    [InlineData("tiny-biases-prefixed")]
    public void HiddenStatesAndGradientsMatchPyTorch(string name)
    {
        var model = ModernBertBackbone.Load(Folder(name));
        var expected = BertFixture.Expected("../modernbert/" + name);
        var batch = Batch(name);
        double d = BertFixture.MaxAbsDiff(model.Forward(batch), expected["last_hidden_state"].Value);
        Assert.True(d < 1e-4, $"Forward differs from PyTorch by {d:g3}");
        var acts = model.ForwardTrain(batch, 1);
        model.Backward(acts, expected["R"].Value);
        Assert.Equal(expected.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal)), model.Parameters.Count);
        foreach (var p in model.Parameters)
        {
            double err = BertFixture.RelativeError(p.Grad, expected["grad." + p.Name].Value);
            Assert.True(err < 1e-3, $"{p.Name}: relative gradient error {err:g3}");
        }
    }

    [Fact]
    public void LocalWindowChangesTheLongSequencesOnly()
    {
        var name = "tiny-local-window"; // local_attention 6: each token sees 3 on each side in layer 1
        var batch = Batch(name);
        var windowed = ModernBertBackbone.Load(Folder(name)).Forward(batch);
        var config = ModernBertConfig.Load(Path.Combine(Folder(name), "config.json"));
        config.LocalAttention = 1000;
        var wide = new ModernBertBackbone(config, SafeTensors.Read(Path.Combine(Folder(name), "model.safetensors"))).Forward(batch);
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
        var model = ModernBertBackbone.Load(Folder("tiny-biases-prefixed"));
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
            var candidates = Enumerable.Range(0, p.Value.Length).Where(i => p.Grad[i] != 0 || !p.Name.StartsWith("embeddings.tok", StringComparison.Ordinal)).ToList();
            double maxErr = 0, scale = 0;
            for (int t = 0; t < 4; t++)
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
        }
    }

    [Fact]
    public void EmbedFolderLoadsByFolderAndEmbedsAsPyTorch()
    {
        string folder = Folder("modernbert-embed");
        var encoder = SentenceEncoder.Load(folder);
        Assert.IsType<ModernBertBackbone>(encoder.Backbone);
        Assert.Equal(PoolingMode.Mean, encoder.Config.Pooling);
        var expected = BertFixture.ReadTensors(Path.Combine(folder, "expected.safetensors"))["embeddings"].Value;
        var ids = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "..", "ids.json")))!["folder"]!.AsArray();
        int dims = encoder.Dimensions;
        for (int i = 0; i < ids.Count; i++)
        {
            string text = ids[i]!["text"]!.GetValue<string>(), prompt = ids[i]!["prompt"]!.GetValue<string>();
            var options = new EncodeOptions { PromptName = prompt switch { "search_query: " => "query", "search_document: " => "document", _ => null } };
            Assert.Equal(ids[i]!["ids"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray(), encoder.Tokenize(text, encoder.ResolvePrompt(options)).Ids);
            var v = encoder.Encode([text], options)[0];
            double diff = BertFixture.MaxAbsDiff(v, expected.AsSpan(i * dims, dims));
            Assert.True(diff < 1e-4, $"text {i}: differs from PyTorch by {diff:g3}");
        }
    }

    [Fact]
    public void MisshapenWeightNamesTheFileAndTensor()
    {
        var tensors = new Dictionary<string, Tensors.Parameter>(SafeTensors.Read(Path.Combine(Folder("tiny-local-window"), "model.safetensors")));
        var config = ModernBertConfig.Load(Path.Combine(Folder("tiny-local-window"), "config.json"));
        tensors["layers.2.mlp.Wi.weight"] = new Tensors.Parameter("layers.2.mlp.Wi.weight", [40, 32], new float[40 * 32]);
        var e = Assert.Throws<ModelFormatException>(() => new ModernBertBackbone(config, tensors, "m/model.safetensors"));
        Assert.Contains("m/model.safetensors", e.Message);
        Assert.Contains("layers.2.mlp.Wi.weight", e.Message);
        Assert.Contains("[80, 32]", e.Message);
        tensors.Remove("final_norm.weight");
        tensors["layers.2.mlp.Wi.weight"] = new Tensors.Parameter("layers.2.mlp.Wi.weight", [80, 32], new float[80 * 32]);
        Assert.Contains("final_norm.weight", Assert.Throws<ModelFormatException>(() => new ModernBertBackbone(config, tensors, "m/model.safetensors")).Message);
    }
}
