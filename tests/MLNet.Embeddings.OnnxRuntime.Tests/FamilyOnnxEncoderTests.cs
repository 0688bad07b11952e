using MLNet.Embeddings.OnnxRuntime.Backbones;
using MLNet.Embeddings.OnnxRuntime.Export;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>
/// A published-layout folder of each family with our export in onnx/model.onnx, loaded by OnnxSentenceEncoder:
/// tokenizer, prompts, in-graph pooling (and Dense modules) give the managed encoder's embeddings within 1e-4.
/// </summary>
public sealed class FamilyOnnxEncoderTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-onnx-family-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }

    static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (var d in Directory.GetDirectories(from)) Copy(d, Path.Combine(to, Path.GetFileName(d)));
    }

    [Theory]
    [InlineData("qwen3", "qwen3-embedding", "query")]
    [InlineData("modernbert", "modernbert-embed", null)]
    [InlineData("gemma3", "embeddinggemma", "query")]
    public void Onnx_encoder_embeds_as_the_managed_encoder(string family, string name, string? prompt)
    {
        var source = Path.Combine(OrtTestEnvironment.RepoRoot, "tests", "MLNet.Embeddings.Tests", "Fixtures", family, name);
        var folder = Path.Combine(_dir, name);
        Copy(source, folder);
        OnnxExporter.Export(folder, Path.Combine(folder, "onnx", "model.onnx"));
        var managed = SentenceEncoder.Load(source);
        var onnx = OnnxSentenceEncoder.Load(folder, new OnnxOptions { IntraOpThreads = 1 });
        Assert.IsType<OnnxPooledBackbone>(onnx.Backbone);
        Assert.Equal(managed.Dimensions, onnx.Dimensions);
        string[] texts = ["What is the capital of China?", "The capital of China is Beijing.", "x", "Gravity pulls objects toward each other, more strongly the heavier they are."];
        var options = new EncodeOptions { PromptName = prompt };
        var expected = managed.Encode(texts, options);
        var actual = onnx.Encode(texts, options);
        for (int i = 0; i < texts.Length; i++) Reference.Close(expected[i], actual[i], 1e-4f);
        ((IDisposable)onnx.Backbone).Dispose();
    }
}
