using System.Text.Json;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Qwen3;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tests.Bert;

namespace MLNet.Embeddings.Tests.Qwen3;

/// <summary>
/// The managed Qwen3 backbone against a plain-PyTorch Qwen3Model written from Hugging Face's modeling_qwen3.py
/// (tools/fixtures/make_qwen3_fixture.py): grouped-query attention, q/k RMSNorm, rotary, causal and sliding-window
/// masks over sequences shorter and longer than the window, attention biases and a <c>model.</c>-prefixed checkpoint.
/// </summary>
public class Qwen3ParityTests
{
    static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "qwen3", name);

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
    [InlineData("tiny-gqa-sliding")]
    [InlineData("tiny-bias-prefixed")]
    public void HiddenStatesMatchPyTorch(string name)
    {
        var model = Qwen3Backbone.Load(Folder(name));
        var expected = BertFixture.Expected("../qwen3/" + name);
        var batch = Batch(name);
        var inference = model.Forward(batch);
        var training = model.ForwardTrain(batch, 1).Output;
        double d1 = BertFixture.MaxAbsDiff(inference, expected["last_hidden_state"].Value);
        double d2 = BertFixture.MaxAbsDiff(training, expected["last_hidden_state"].Value);
        Assert.True(d1 < 1e-4, $"Forward differs from PyTorch by {d1:g3}");
        Assert.True(d2 < 1e-4, $"ForwardTrain differs from PyTorch by {d2:g3}");
    }

    [Theory]
    [InlineData("tiny-gqa-sliding")]
    [InlineData("tiny-bias-prefixed")]
    public void ParameterGradientsMatchPyTorch(string name)
    {
        var model = Qwen3Backbone.Load(Folder(name));
        var expected = BertFixture.Expected("../qwen3/" + name);
        var batch = Batch(name);
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
        // The fixture's second layer attends within 4 tokens: turning the window off must change sequences longer
        // than the window and leave the shorter ones alone (proves the mask is applied where it should be).
        var name = "tiny-gqa-sliding";
        var batch = Batch(name);
        var windowed = Qwen3Backbone.Load(Folder(name)).Forward(batch);
        var config = Qwen3Config.Load(Path.Combine(Folder(name), "config.json"));
        config.LayerTypes = ["full_attention", "full_attention"];
        var full = new Qwen3Backbone(config, SafeTensors.Read(Path.Combine(Folder(name), "model.safetensors"))).Forward(batch);
        int H = config.HiddenSize;
        for (int s = 0; s < batch.Count; s++)
        {
            var a = windowed.AsSpan(batch.Starts[s] * H, batch.Length(s) * H);
            var b = full.AsSpan(batch.Starts[s] * H, batch.Length(s) * H);
            double diff = BertFixture.MaxAbsDiff(a, b);
            if (batch.Length(s) <= 4) Assert.True(diff < 1e-6, $"sequence {s} (length {batch.Length(s)}) changed by {diff}");
            else Assert.True(diff > 1e-3, $"sequence {s} (length {batch.Length(s)}) did not change");
        }
    }
}
