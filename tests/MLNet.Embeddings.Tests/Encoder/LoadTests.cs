namespace MLNet.Embeddings.Tests.Encoder;

public sealed class LoadTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("load-tests-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    [Fact]
    public void MissingPath()
    {
        var p = Path.Combine(_dir, "nothing");
        Assert.Equal(p, Assert.Throws<ModelFormatException>(() => SentenceEncoder.Load(p)).Path);
    }

    [Fact]
    public void FileThatIsNotWordVectors()
    {
        var p = Path.Combine(_dir, "model.onnx.json");
        File.WriteAllText(p, "{}");
        Assert.Contains("word-vector", Assert.Throws<ModelFormatException>(() => SentenceEncoder.Load(p)).Message);
    }

    [Fact]
    public void PickleOnlyFolderIsRefused()
    {
        File.WriteAllText(Path.Combine(_dir, "config.json"), """{"model_type": "bert"}""");
        File.WriteAllBytes(Path.Combine(_dir, "pytorch_model.bin"), new byte[] { 0x80, 0x02 });
        var ex = Assert.Throws<ModelFormatException>(() => SentenceEncoder.Load(_dir));
        Assert.EndsWith("pytorch_model.bin", ex.Path);
        Assert.Contains("safetensors", ex.Message);
    }

    [Fact]
    public void FolderWithoutWeights()
    {
        File.WriteAllText(Path.Combine(_dir, "config.json"), """{"model_type": "bert"}""");
        Assert.Contains("safetensors", Assert.Throws<ModelFormatException>(() => SentenceEncoder.Load(_dir)).Message);
    }

    [Fact]
    public void UnknownModelTypeIsNamed()
    {
        File.WriteAllText(Path.Combine(_dir, "config.json"), """{"model_type": "gpt_neox"}""");
        var ex = Assert.Throws<ModelFormatException>(() => SentenceEncoder.Load(_dir));
        Assert.Contains("gpt_neox", ex.Message);
        Assert.Contains("bert", ex.Message);
    }

    [Fact]
    public void MissingConfigJson()
    {
        File.WriteAllText(Path.Combine(_dir, "model.safetensors"), "");
        var ex = Assert.Throws<ModelFormatException>(() => SentenceEncoder.Load(_dir));
        Assert.EndsWith("config.json", ex.Path);
    }

    [Fact]
    public void RegisteredBackboneIsUsedAndItsErrorsSurface()
    {
        File.WriteAllText(Path.Combine(_dir, "config.json"), """{"model_type": "fake-for-load-test"}""");
        File.WriteAllBytes(Path.Combine(_dir, "model.safetensors"), Array.Empty<byte>());
        SentenceEncoder.RegisterBackbone("fake-for-load-test", folder => throw new ModelFormatException(folder, "reached the registered loader"));
        Assert.Contains("reached the registered loader", Assert.Throws<ModelFormatException>(() => SentenceEncoder.Load(_dir)).Message);
    }
}
