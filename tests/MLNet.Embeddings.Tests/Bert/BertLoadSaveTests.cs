using MLNet.Embeddings.Backbones.Bert;

namespace MLNet.Embeddings.Tests.Bert;

public class BertLoadSaveTests
{
    [Theory]
    [InlineData("tiny-gelu")]
    [InlineData("tiny-roberta-relu")]
    public void LoadsHuggingFaceFolder(string name)
    {
        var model = BertBackbone.Load(BertFixture.Folder(name));
        var expected = BertFixture.Expected(name)["last_hidden_state"].Value;
        Assert.True(BertFixture.MaxAbsDiff(model.Forward(BertFixture.Batch(name)), expected) < 1e-4);
    }

    [Fact]
    public void SaveThenLoadGivesTheSameModel()
    {
        var model = BertFixture.Model("small-gelu-new");
        var dir = Path.Combine(Path.GetTempPath(), "bert-save-" + Guid.NewGuid().ToString("N"));
        try
        {
            model.Save(dir);
            Assert.True(File.Exists(Path.Combine(dir, "config.json")));
            var again = BertBackbone.Load(dir);
            Assert.Equal(model.Config.HiddenAct, again.Config.HiddenAct);
            Assert.Equal(model.Config.LayerNormEps, again.Config.LayerNormEps);
            Assert.Equal(model.Parameters.Select(p => p.Name), again.Parameters.Select(p => p.Name));
            for (int i = 0; i < model.Parameters.Count; i++) Assert.Equal(model.Parameters[i].Value, again.Parameters[i].Value);
            var batch = BertFixture.Batch("small-gelu-new");
            Assert.Equal(model.Forward(batch), again.Forward(batch));
            // Saved without a prefix and without the pooler: exactly our parameters.
            var saved = BertFixture.ReadTensors(Path.Combine(dir, "model.safetensors"));
            Assert.Equal(model.Parameters.Select(p => p.Name).OrderBy(n => n), saved.Keys.OrderBy(n => n));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
