using System.Text.Json.Nodes;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tests.Bert;

namespace MLNet.Embeddings.Tests.Models;

/// <summary>Facts two files of a model folder state about each other must agree; a mismatch names the file and both numbers.</summary>
public sealed class CrossFileCheckTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("xfile-tests-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    /// <summary>The tiny-gelu fixture (hidden 32, vocab 505, 64 positions) saved as a sentence-transformers folder.</summary>
    string Saved(string name)
    {
        var raw = Path.Combine(_dir, name + "-raw");
        Directory.CreateDirectory(raw);
        foreach (var f in new[] { "config.json", "model.safetensors", "vocab.txt" })
            File.Copy(Path.Combine(BertFixture.Folder("tiny-gelu"), f), Path.Combine(raw, f));
        var folder = Path.Combine(_dir, name);
        SentenceEncoder.Load(raw).Save(folder);
        return folder;
    }

    static void Edit(string path, Action<JsonNode> change)
    {
        var node = JsonNode.Parse(File.ReadAllText(path))!;
        change(node);
        File.WriteAllText(path, node.ToJsonString());
    }

    [Fact]
    public void ASavedFolderPassesEveryCheck()
    {
        var folder = Saved("ok");
        var encoder = SentenceEncoder.Load(folder);
        Assert.Equal(64, encoder.Config.MaxSeqLength); // written capped at the position embeddings
        Assert.Equal(Path.GetFullPath(folder), encoder.SourcePath);
    }

    [Fact]
    public void PoolingDimensionMustEqualTheHiddenSize()
    {
        var folder = Saved("pool");
        var pooling = Path.Combine(folder, "1_Pooling", "config.json");
        Edit(pooling, n => n["word_embedding_dimension"] = 384);
        var ex = Assert.Throws<ModelFormatException>(() => SentenceEncoder.Load(folder));
        Assert.Equal(pooling, ex.Path);
        Assert.Contains("word_embedding_dimension' is 384", ex.Message);
        Assert.Contains("hidden size is 32", ex.Message);
    }

    [Fact]
    public void MaxSeqLengthMustFitThePositionEmbeddings()
    {
        var folder = Saved("len");
        var sbert = Path.Combine(folder, "sentence_bert_config.json");
        Edit(sbert, n => n["max_seq_length"] = 512);
        var ex = Assert.Throws<ModelFormatException>(() => SentenceEncoder.Load(folder));
        Assert.Equal(sbert, ex.Path);
        Assert.Contains("'max_seq_length' is 512", ex.Message);
        Assert.Contains("64 usable position embeddings", ex.Message);
    }

    [Fact]
    public void TheTokenizerMustNotHaveMoreTokensThanTheEmbeddingRows()
    {
        var folder = Saved("vocab");
        var tokenizer = new[] { "tokenizer.json", "vocab.txt" }.Select(f => Path.Combine(folder, f)).First(File.Exists);
        if (tokenizer.EndsWith("vocab.txt", StringComparison.Ordinal))
            File.AppendAllLines(tokenizer, Enumerable.Range(0, 7).Select(i => $"extra{i}"));
        else
            Edit(tokenizer, n => { for (int i = 0; i < 7; i++) n["model"]!["vocab"]![$"extra{i}"] = 505 + i; });
        var ex = Assert.Throws<ModelFormatException>(() => SentenceEncoder.Load(folder));
        Assert.Equal(tokenizer, ex.Path);
        Assert.Contains("has 512 tokens", ex.Message);
        Assert.Contains("have 505 rows", ex.Message);
    }

    [Theory]
    [InlineData("Normalize", "Pooling", "must come before Normalize")]
    [InlineData("Pooling", "Transformer", "must follow the Transformer module")]
    public void ModulesMustRunTransformerPoolingNormalize(string first, string second, string expected)
    {
        var folder = Saved("order-" + first);
        Directory.CreateDirectory(Path.Combine(folder, "2_Normalize"));
        string Entry(int idx, string kind) => kind switch
        {
            "Transformer" => $$"""{"idx": {{idx}}, "name": "{{idx}}", "path": "", "type": "sentence_transformers.models.Transformer"}""",
            "Pooling" => $$"""{"idx": {{idx}}, "name": "{{idx}}", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}""",
            _ => $$"""{"idx": {{idx}}, "name": "{{idx}}", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}""",
        };
        var kinds = first == "Normalize" ? new[] { "Transformer", first, second } : new[] { first, second, "Normalize" };
        var modules = Path.Combine(folder, "modules.json");
        File.WriteAllText(modules, "[" + string.Join(",", kinds.Select((k, i) => Entry(i, k))) + "]");
        var ex = Assert.Throws<ModelFormatException>(() => SentenceEncoder.Load(folder));
        Assert.Equal(modules, ex.Path);
        Assert.Contains(expected, ex.Message);
        Assert.Contains("Transformer (or StaticEmbedding) → Pooling → Normalize", ex.Message);
    }
}
