using System.Text.Json.Nodes;
using MLNet.Embeddings.Backbones.Gemma3;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tests.Bert;

namespace MLNet.Embeddings.Tests.Gemma3;

/// <summary>
/// A folder laid out as google/embeddinggemma-300m is (Transformer → Pooling(mean) → 2_Dense → 3_Dense → Normalize,
/// task prompts, Gemma tokenizer with &lt;bos&gt;/&lt;eos&gt;), tiny random weights, loads by folder and embeds as PyTorch.
/// </summary>
public class EmbeddingGemmaFolderTests
{
    static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "gemma3", "embeddinggemma");

    [Fact]
    public void LoadsByFolderAndEmbedsAsPyTorch()
    {
        var encoder = SentenceEncoder.Load(Folder);
        Assert.IsType<Gemma3Backbone>(encoder.Backbone);
        Assert.Equal(2, encoder.Config.Dense.Count);
        Assert.Equal(128, encoder.Config.Dense[0].OutFeatures);
        Assert.Equal(32, encoder.Dimensions);
        var expected = BertFixture.ReadTensors(Path.Combine(Folder, "expected.safetensors"))["embeddings"].Value;
        var ids = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "..", "ids.json")))!["folder"]!.AsArray();
        for (int i = 0; i < ids.Count; i++)
        {
            string text = ids[i]!["text"]!.GetValue<string>(), prompt = ids[i]!["prompt"]!.GetValue<string>();
            var options = new EncodeOptions { PromptName = prompt.StartsWith("task:", StringComparison.Ordinal) ? "query" : prompt.Length > 0 ? "document" : null };
            Assert.Equal(ids[i]!["ids"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray(), encoder.Tokenize(text, encoder.ResolvePrompt(options)).Ids);
            var v = encoder.Encode([text], options)[0];
            double diff = BertFixture.MaxAbsDiff(v, expected.AsSpan(i * 32, 32));
            Assert.True(diff < 1e-4, $"text {i}: differs from PyTorch by {diff:g3}");
        }
        // Matryoshka truncation applies after the Dense head, as sentence-transformers' truncate_dim does.
        var cut = encoder.Encode(["Explain gravity"], new EncodeOptions { PromptName = "query", Dimensions = 8 })[0];
        Assert.Equal(8, cut.Length);
        Assert.True(Math.Abs(cut.Sum(x => x * x) - 1) < 1e-5);
    }

    [Fact]
    public void SaveWritesTheDenseModulesBack()
    {
        var encoder = SentenceEncoder.Load(Folder);
        string dir = Path.Combine(Path.GetTempPath(), "egemma-" + Guid.NewGuid().ToString("N"));
        try
        {
            encoder.Save(dir);
            var again = SentenceEncoder.Load(dir);
            Assert.Equal(2, again.Config.Dense.Count);
            Assert.Equal(DenseActivation.Identity, again.Config.Dense[1].Activation);
            string[] texts = ["a short text", "gravity and the capital of China"];
            var a = encoder.Encode(texts); var b = again.Encode(texts);
            for (int i = 0; i < texts.Length; i++) Assert.True(BertFixture.MaxAbsDiff(a[i], b[i]) < 1e-6);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
