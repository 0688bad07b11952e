using System.Text.Json.Nodes;
using MLNet.Embeddings.Backbones.Qwen3;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tests.Bert;

namespace MLNet.Embeddings.Tests.Qwen3;

/// <summary>
/// A folder laid out as Qwen/Qwen3-Embedding-0.6B is (BF16 safetensors without prefix, Transformer → Pooling(lasttoken)
/// → Normalize, the query instruction in config_sentence_transformers.json, a Qwen2 tokenizer that appends
/// &lt;|endoftext|&gt;), with tiny random weights, loads by folder and embeds as PyTorch does.
/// </summary>
public class Qwen3FolderTests
{
    static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "qwen3", "qwen3-embedding");

    [Fact]
    public void LoadsByFolderAndEmbedsAsPyTorch()
    {
        var encoder = SentenceEncoder.Load(Folder);
        Assert.IsType<Qwen3Backbone>(encoder.Backbone);
        Assert.Equal(PoolingMode.LastToken, encoder.Config.Pooling);
        Assert.True(encoder.Config.Normalize);
        Assert.StartsWith("Instruct: Given a web search query", encoder.Config.Prompts["query"]);
        var expected = BertFixture.ReadTensors(Path.Combine(Folder, "expected.safetensors"))["embeddings"].Value;
        var ids = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "..", "ids.json")))!["folder"]!.AsArray();
        int dims = encoder.Dimensions;
        for (int i = 0; i < ids.Count; i++)
        {
            string text = ids[i]!["text"]!.GetValue<string>(), prompt = ids[i]!["prompt"]!.GetValue<string>();
            // The prompt by name, as users pass it; the tokenizer appends <|endoftext|>, the last token pooled.
            var options = prompt.Length > 0 ? new EncodeOptions { PromptName = "query" } : new EncodeOptions { PromptName = "document" };
            var hfIds = ids[i]!["ids"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
            Assert.Equal(hfIds, encoder.Tokenize(text, encoder.ResolvePrompt(options)).Ids);
            var v = encoder.Encode([text], options)[0];
            double diff = BertFixture.MaxAbsDiff(v, expected.AsSpan(i * dims, dims));
            Assert.True(diff < 1e-4, $"text {i}: differs from PyTorch by {diff:g3}");
        }
    }

    [Fact]
    public void BatchedEncodingEqualsOneByOne()
    {
        // Packed batches of different lengths: the last real token of each sequence is pooled, never a neighbour's.
        var encoder = SentenceEncoder.Load(Folder);
        string[] texts = ["short", "a much longer text about gravity and the capital of China", "", "mid length text"];
        var batched = encoder.Encode(texts, new EncodeOptions { BatchSize = 4 });
        for (int i = 0; i < texts.Length; i++)
            Assert.True(BertFixture.MaxAbsDiff(batched[i], encoder.Encode(texts[i])) < 1e-5);
    }

    static string CopyFolder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qwen3-" + Guid.NewGuid().ToString("N"));
        foreach (var f in Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(dir, Path.GetRelativePath(Folder, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(f, dest);
        }
        return dir;
    }

    [Fact]
    public void UnknownModelTypeNamesTheFileAndField()
    {
        string dir = CopyFolder();
        try
        {
            string config = Path.Combine(dir, "config.json");
            File.WriteAllText(config, File.ReadAllText(config).Replace("\"qwen3\"", "\"qwen9\""));
            var e = Assert.Throws<ModelFormatException>(() => SentenceEncoder.Load(dir));
            Assert.Contains("config.json", e.Message);
            Assert.Contains("qwen9", e.Message);
            Assert.Contains("qwen3", e.Message); // the supported list
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void MissingOrMisshapenWeightNamesTheFileAndTensor()
    {
        var tensors = SafeTensors.Read(Path.Combine(Folder, "model.safetensors"));
        var config = Qwen3Config.Load(Path.Combine(Folder, "config.json"));
        var missing = new Dictionary<string, Tensors.Parameter>(tensors);
        missing.Remove("layers.1.self_attn.k_norm.weight");
        var e = Assert.Throws<ModelFormatException>(() => new Qwen3Backbone(config, missing, "x/model.safetensors"));
        Assert.Contains("x/model.safetensors", e.Message);
        Assert.Contains("layers.1.self_attn.k_norm.weight", e.Message);

        string dir = CopyFolder();
        try
        {
            // A config that disagrees with the weights: head_dim 8 makes q_proj [32, 32] expected, the file has [64, 32].
            string path = Path.Combine(dir, "config.json");
            var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            json["head_dim"] = 8;
            File.WriteAllText(path, json.ToJsonString());
            var e2 = Assert.Throws<ModelFormatException>(() => SentenceEncoder.Load(dir));
            Assert.Contains(Path.Combine(dir, "model.safetensors"), e2.Message);
            Assert.Contains("layers.0.self_attn.q_proj.weight", e2.Message);
            Assert.Contains("[64, 32]", e2.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void SaveRoundTripsConfigAndWeights()
    {
        var model = Qwen3Backbone.Load(Folder);
        string dir = Path.Combine(Path.GetTempPath(), "qwen3-save-" + Guid.NewGuid().ToString("N"));
        try
        {
            model.Save(dir);
            var again = Qwen3Backbone.Load(dir);
            Assert.Equal(model.Config.LayerTypes, again.Config.LayerTypes);
            Assert.Equal(model.Config.RopeTheta, again.Config.RopeTheta);
            var batch = new Backbones.TokenBatch(new[] { 5, 9, 100, 7 }, new int[4], new[] { 0, 1, 4 });
            Assert.Equal(model.Forward(batch), again.Forward(batch));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
