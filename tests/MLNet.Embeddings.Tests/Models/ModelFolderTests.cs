using MLNet.Embeddings.Models;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Scoring;

namespace MLNet.Embeddings.Tests.Models;

public sealed class ModelFolderTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("mf-tests-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    string Put(string relative, string content)
    {
        var p = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllText(p, content);
        return p;
    }

    const string Modules = """
        [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
         {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
         {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
        """;

    static string PoolingJson(string mode, bool includePrompt = true) =>
        $$"""
        {"word_embedding_dimension": 384, "pooling_mode_cls_token": {{(mode == "cls" ? "true" : "false")}},
         "pooling_mode_mean_tokens": {{(mode == "mean" ? "true" : "false")}}, "pooling_mode_max_tokens": {{(mode == "max" ? "true" : "false")}},
         "pooling_mode_mean_sqrt_len_tokens": {{(mode == "sqrt" ? "true" : "false")}}, "pooling_mode_weightedmean_tokens": {{(mode == "wm" ? "true" : "false")}},
         "pooling_mode_lasttoken": {{(mode == "last" ? "true" : "false")}}, "include_prompt": {{(includePrompt ? "true" : "false")}}}
        """;

    [Fact]
    public void ReadsSentenceTransformersFolder()
    {
        Put("modules.json", Modules);
        Put("1_Pooling/config.json", PoolingJson("cls", includePrompt: false));
        Put("sentence_bert_config.json", """{"max_seq_length": 256, "do_lower_case": true}""");
        Put("config_sentence_transformers.json", """
            {"__version__": {"sentence_transformers": "3.0.1"}, "prompts": {"query": "query: ", "passage": "passage: "},
             "default_prompt_name": "query", "similarity_fn_name": "dot", "model_type": "SentenceTransformer"}
            """);
        Put("config.json", """{"model_type": "bert", "hidden_size": 384}""");
        var layout = ModelFolder.Read(_dir);
        Assert.True(layout.IsSentenceTransformers);
        Assert.Equal("bert", layout.ModelType);
        Assert.Equal(_dir, layout.BackboneFolder);
        Assert.True(layout.MaxSeqLengthGiven);
        var c = layout.Config;
        Assert.Equal(PoolingMode.Cls, c.Pooling);
        Assert.False(c.PoolingIncludePrompt);
        Assert.True(c.Normalize);
        Assert.Equal(256, c.MaxSeqLength);
        Assert.True(c.DoLowerCase);
        Assert.Equal(2, c.Prompts.Count);
        Assert.Equal("query", c.DefaultPromptName);
        Assert.Equal(SimilarityFunction.Dot, c.Similarity);
        Assert.Equal(Path.GetFileName(_dir), c.ModelId);
    }

    [Fact]
    public void PlainHuggingFaceFolderUsesMeanWithoutNormalisation()
    {
        Put("config.json", """{"model_type": "bert"}""");
        var layout = ModelFolder.Read(_dir);
        Assert.False(layout.IsSentenceTransformers);
        Assert.False(layout.MaxSeqLengthGiven);
        Assert.Equal(PoolingMode.Mean, layout.Config.Pooling);
        Assert.False(layout.Config.Normalize);
    }

    [Fact]
    public void TransformerInSubfolder()
    {
        Put("modules.json", """
            [{"idx": 0, "name": "0", "path": "0_Transformer", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
            """);
        Put("1_Pooling/config.json", """{"pooling_mode": "weightedmean"}""");
        Put("0_Transformer/config.json", """{"model_type": "bert"}""");
        Put("0_Transformer/sentence_bert_config.json", """{"max_seq_length": 64}""");
        var layout = ModelFolder.Read(_dir);
        Assert.Equal(Path.Combine(_dir, "0_Transformer"), layout.BackboneFolder);
        Assert.Equal(PoolingMode.WeightedMean, layout.Config.Pooling);
        Assert.Equal(64, layout.Config.MaxSeqLength);
        Assert.False(layout.Config.Normalize);
    }

    [Theory]
    [InlineData("mean", PoolingMode.Mean)]
    [InlineData("cls", PoolingMode.Cls)]
    [InlineData("max", PoolingMode.Max)]
    [InlineData("sqrt", PoolingMode.MeanSqrtLen)]
    [InlineData("wm", PoolingMode.WeightedMean)]
    [InlineData("last", PoolingMode.LastToken)]
    public void PoolingFlags(string flag, PoolingMode expected)
    {
        var cfg = ModelFolder.ReadPoolingConfig(Put("p/config.json", PoolingJson(flag)));
        Assert.Equal(expected, cfg.Mode);
        Assert.True(cfg.IncludePrompt);
        Assert.Equal(384, cfg.WordEmbeddingDimension);
    }

    ModelFormatException Fails(Action read, string file, params string[] inMessage)
    {
        var ex = Assert.Throws<ModelFormatException>(read);
        Assert.EndsWith(file, ex.Path.Replace('\\', '/'));
        foreach (var s in inMessage) Assert.Contains(s, ex.Message);
        return ex;
    }

    [Fact]
    public void MalformedPoolingConfig()
    {
        Fails(() => ModelFolder.ReadPoolingConfig(Put("p/config.json", """{"pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": true}""")), "p/config.json", "pooling_mode_mean_tokens", "pooling_mode_max_tokens");
        Fails(() => ModelFolder.ReadPoolingConfig(Put("p/config.json", """{"word_embedding_dimension": 4}""")), "p/config.json", "no pooling mode");
        Fails(() => ModelFolder.ReadPoolingConfig(Put("p/config.json", """{"pooling_mode": "median"}""")), "p/config.json", "median");
        Fails(() => ModelFolder.ReadPoolingConfig(Put("p/config.json", """{"pooling_mode_mean_tokens": "yes"}""")), "p/config.json", "pooling_mode_mean_tokens");
        Fails(() => ModelFolder.ReadPoolingConfig(Put("p/config.json", """{"pooling_mode_mean_tokens": true, """)), "p/config.json", "JSON");
        Fails(() => ModelFolder.ReadPoolingConfig(Path.Combine(_dir, "missing.json")), "missing.json", "not found");
    }

    [Fact]
    public void MalformedModules()
    {
        Fails(() => ModelFolder.ReadModules(Put("modules.json", """{"idx": 0}""")), "modules.json", "array");
        Fails(() => ModelFolder.ReadModules(Put("modules.json", """[{"idx": 0, "path": ""}]""")), "modules.json", "'type'");
        Fails(() => ModelFolder.ReadModules(Put("modules.json", """[{"idx": 0, "type": "x.Transformer"}]""")), "modules.json", "'path'");
        Fails(() => ModelFolder.ReadModules(Put("modules.json", """[{"idx": 0, "path": "../evil", "type": "x.Transformer"}]""")), "modules.json", "inside");
        Put("modules.json", """[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}, {"idx": 1, "name": "1", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]""");
        Fails(() => ModelFolder.Read(_dir), "modules.json", "Dense", "must follow the Pooling module");
        Put("modules.json", """[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}, {"idx": 1, "name": "1", "path": "2_LayerNorm", "type": "sentence_transformers.models.LayerNorm"}]""");
        Fails(() => ModelFolder.Read(_dir), "modules.json", "LayerNorm", "not supported");
    }

    [Fact]
    public void MalformedSentenceConfigs()
    {
        var config = new SentenceEncoderConfig();
        Fails(() => ModelFolder.ReadSentenceBertConfig(Put("sentence_bert_config.json", """{"max_seq_length": "long"}"""), config), "sentence_bert_config.json", "max_seq_length");
        Fails(() => ModelFolder.ReadSentenceBertConfig(Put("sentence_bert_config.json", """{"max_seq_length": 0}"""), config), "sentence_bert_config.json", "max_seq_length");
        Fails(() => ModelFolder.ReadSentenceTransformersConfig(Put("c.json", """{"prompts": ["a"]}"""), config), "c.json", "prompts");
        Fails(() => ModelFolder.ReadSentenceTransformersConfig(Put("c.json", """{"prompts": {"q": 3}}"""), config), "c.json", "prompts.q");
        Fails(() => ModelFolder.ReadSentenceTransformersConfig(Put("c.json", """{"prompts": {"q": "q: "}, "default_prompt_name": "d"}"""), config), "c.json", "default_prompt_name", "'d'");
        Fails(() => ModelFolder.ReadSentenceTransformersConfig(Put("c.json", """{"similarity_fn_name": "jaccard"}"""), config), "c.json", "similarity_fn_name", "jaccard");
        Fails(() => ModelFolder.ReadModelType(Put("config.json", """{"hidden_size": 3}""")), "config.json", "model_type");
        Fails(() => ModelFolder.ReadModelType(Put("config.json", "[]")), "config.json", "object");
    }

    [Fact]
    public void SimilarityNamesIncludeDotProduct()
    {
        var config = new SentenceEncoderConfig();
        ModelFolder.ReadSentenceTransformersConfig(Put("c.json", """{"similarity_fn_name": "dot_product", "prompts": {}, "default_prompt_name": null}"""), config);
        Assert.Equal(SimilarityFunction.Dot, config.Similarity);
        Assert.Null(config.DefaultPromptName);
    }

    [Fact]
    public void WriteThenReadRoundTrips()
    {
        foreach (var mode in Enum.GetValues<PoolingMode>())
            foreach (bool normalize in new[] { false, true })
            {
                var folder = Path.Combine(_dir, $"{mode}-{normalize}");
                var c = new SentenceEncoderConfig { Pooling = mode, Normalize = normalize, MaxSeqLength = 77, PoolingIncludePrompt = !normalize, Similarity = SimilarityFunction.Manhattan };
                ModelFolder.Write(folder, c, 8);
                var back = ModelFolder.Read(folder).Config;
                Assert.Equal(mode, back.Pooling);
                Assert.Equal(normalize, back.Normalize);
                Assert.Equal(77, back.MaxSeqLength);
                Assert.Equal(!normalize, back.PoolingIncludePrompt);
                Assert.Equal(SimilarityFunction.Manhattan, back.Similarity);
                Assert.Equal(8, ModelFolder.ReadPoolingConfig(Path.Combine(folder, "1_Pooling", "config.json")).WordEmbeddingDimension);
            }
        var st = Path.Combine(_dir, "static");
        ModelFolder.Write(st, new SentenceEncoderConfig { Normalize = true }, 8, staticModel: true);
        var modules = ModelFolder.ReadModules(Path.Combine(st, "modules.json"));
        Assert.Equal(new[] { "StaticEmbedding", "Normalize" }, modules.Select(m => m.Kind));
        Assert.Equal("static", ModelFolder.Read(st).ModelType);
    }
}
