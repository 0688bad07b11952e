using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Kernels;

namespace MLNet.Embeddings.Tests.Bert;

public class BertConfigTests
{
    static string Write(string json)
    {
        var dir = Path.Combine(Path.GetTempPath(), "bertcfg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "config.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void ReadsFixtureConfig()
    {
        var c = BertConfig.Load(Path.Combine(BertFixture.Folder("small-gelu-new"), "config.json"));
        Assert.Equal(48, c.HiddenSize);
        Assert.Equal(3, c.NumHiddenLayers);
        Assert.Equal(ActivationKind.GeluTanh, c.HiddenAct);
        Assert.Equal(1e-7f, c.LayerNormEps);
        Assert.Equal(0.1f, c.HiddenDropoutProb);
        Assert.Equal(16, c.HeadSize);
        Assert.Equal(0, c.PositionOffset);
        var r = BertConfig.Load(Path.Combine(BertFixture.Folder("tiny-roberta-relu"), "config.json"));
        Assert.Equal(2, r.PositionOffset);
    }

    [Fact]
    public void UnsupportedModelTypeNamesFileAndField()
    {
        var path = Write("""{"model_type": "gpt2", "hidden_size": 8}""");
        var e = Assert.Throws<ModelFormatException>(() => BertConfig.Load(path));
        Assert.Equal(path, e.Path);
        Assert.Contains("config.json", e.Message);
        Assert.Contains("model_type", e.Message);
        Assert.Contains("gpt2", e.Message);
    }

    [Theory]
    [InlineData("""{"model_type": "bert", "hidden_act": "swish"}""", "hidden_act")]
    [InlineData("""{"model_type": "bert", "hidden_size": 10, "num_attention_heads": 3}""", "hidden_size")]
    [InlineData("""{"model_type": "bert", "num_hidden_layers": "two"}""", "num_hidden_layers")]
    [InlineData("""{"model_type": "bert", "position_embedding_type": "relative_key"}""", "position_embedding_type")]
    [InlineData("""{"hidden_size": 8}""", "model_type")]
    public void BadFieldsAreNamed(string json, string field)
    {
        var e = Assert.Throws<ModelFormatException>(() => BertConfig.Load(Write(json)));
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void RoundTripsUnknownFields()
    {
        var path = Write("""{"model_type": "bert", "hidden_size": 8, "num_attention_heads": 2, "torch_dtype": "float32", "hidden_act": "gelu_new"}""");
        var c = BertConfig.Load(path);
        c.Save(path);
        var again = BertConfig.Load(path);
        Assert.Equal(8, again.HiddenSize);
        Assert.Equal(ActivationKind.GeluTanh, again.HiddenAct);
        Assert.Equal("float32", (string?)again.Extra!["torch_dtype"]);
    }

    [Fact]
    public void MissingTensorAndWrongShapeNameTheTensor()
    {
        var folder = BertFixture.Folder("tiny-gelu");
        var config = BertConfig.Load(Path.Combine(folder, "config.json"));
        var tensors = BertFixture.ReadTensors(Path.Combine(folder, "model.safetensors"));
        var missing = new Dictionary<string, Tensors.Parameter>(tensors);
        missing.Remove("encoder.layer.1.intermediate.dense.bias");
        var e = Assert.Throws<ModelFormatException>(() => new BertBackbone(config, missing, "x/model.safetensors"));
        Assert.Contains("encoder.layer.1.intermediate.dense.bias", e.Message);
        Assert.Equal("x/model.safetensors", e.Path);
        var wrong = new Dictionary<string, Tensors.Parameter>(tensors)
        {
            ["encoder.layer.0.attention.self.key.weight"] = new("encoder.layer.0.attention.self.key.weight", new[] { 32, 31 }, new float[32 * 31]),
        };
        e = Assert.Throws<ModelFormatException>(() => new BertBackbone(config, wrong, "x/model.safetensors"));
        Assert.Contains("encoder.layer.0.attention.self.key.weight", e.Message);
        Assert.Contains("[32, 31]", e.Message);
    }

    [Fact]
    public void RejectsTooLongSequencesAndUnknownIds()
    {
        var model = BertFixture.Model("tiny-roberta-relu");
        Assert.Equal(32, model.MaxPositions);
        var tooLong = new TokenBatch(new int[33], new int[33], new[] { 0, 33 });
        Assert.Throws<ArgumentException>(() => model.Forward(tooLong));
        var badId = new TokenBatch(new[] { 0, 100000 }, new int[2], new[] { 0, 2 });
        Assert.Throws<ArgumentException>(() => model.Forward(badId));
    }

    [Fact]
    public void LoadNamesMissingFolderFiles()
    {
        var dir = Path.GetDirectoryName(Write("""{"model_type": "bert", "hidden_size": 8, "num_attention_heads": 2}"""))!;
        var e = Assert.Throws<ModelFormatException>(() => BertBackbone.Load(dir));
        Assert.Contains("model.safetensors", e.Message);
    }
}
