using MLNet.Embeddings.Backbones.ModernBert;
using MLNet.Embeddings.OnnxRuntime.Backbones;
using MLNet.Embeddings.OnnxRuntime.Export;
using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>
/// ModernBERT exported by our writer and run in ONNX Runtime equals the managed backbone within 1e-4 on the tiny
/// random folders of MLNet.Embeddings.Tests (local windows of 4, 6 and 16 tokens, LayerNorm and linear biases or
/// none, erf and tanh GELU, the modernbert-embed layout with mean pooling and Normalize).
/// </summary>
public sealed class ModernBertOnnxExportTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-onnx-modernbert-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }

    static string Folder(string name) => Path.Combine(OrtTestEnvironment.RepoRoot, "tests", "MLNet.Embeddings.Tests", "Fixtures", "modernbert", name);

    static OnnxOptions Options() => new() { IntraOpThreads = 1 };

    [Theory]
    [InlineData("tiny-local-window", 17)]
    [InlineData("tiny-biases-prefixed", 14)]
    [InlineData("modernbert-embed", 14)]
    public void Exported_hidden_states_match_the_managed_backbone(string name, int opset)
    {
        var managed = ModernBertBackbone.Load(Folder(name));
        var path = OnnxExporter.Export(managed, new SentenceEncoderConfig(), Path.Combine(_dir, name + ".onnx"),
            new OnnxExportOptions { IncludePooling = false, Opset = opset }).ModelPath;
        using var onnx = OnnxBackbone.Open(path, Options());
        int vocab = managed.Config.VocabSize;
        int[][] batches = [[1], [2], [3], [5], [8], [20], [20, 3, 9, 1, 7]];
        int seed = 0;
        foreach (var lengths in batches)
        {
            var batch = Qwen3OnnxExportTests.Batch(vocab, seed++, lengths);
            Reference.Close(managed.Forward(batch), onnx.Forward(batch), 1e-4f);
        }
        if (OnnxChecker.Available()) Assert.Null(OnnxChecker.Check(path));
    }

    [Fact]
    public void Embed_folder_exports_mean_pooling_and_normalisation_in_the_graph()
    {
        var encoder = SentenceEncoder.Load(Folder("modernbert-embed"));
        Assert.Equal(PoolingMode.Mean, encoder.Config.Pooling);
        Assert.True(encoder.Config.Normalize);
        var path = OnnxExporter.Export(encoder, Path.Combine(_dir, "pooled.onnx")).ModelPath;
        using var onnx = OnnxBackbone.Open(path, Options());
        var pooled = Assert.IsType<OnnxPooledBackbone>(onnx);
        var batch = Qwen3OnnxExportTests.Batch(((ModernBertBackbone)encoder.Backbone).Config.VocabSize, 3, 6, 1, 19, 3);
        var hidden = encoder.Backbone.Forward(batch);
        int h = encoder.Backbone.HiddenSize;
        var expected = new float[batch.Count * h];
        for (int i = 0; i < batch.Count; i++)
        {
            var mean = new float[h];
            for (int t = batch.Starts[i]; t < batch.Starts[i + 1]; t++)
                for (int d = 0; d < h; d++) mean[d] += hidden[t * h + d] / batch.Length(i);
            float norm = MathF.Sqrt(mean.Sum(v => v * v));
            for (int d = 0; d < h; d++) expected[i * h + d] = mean[d] / norm;
        }
        Reference.Close(expected, pooled.ForwardPooled(batch), 1e-4f);
    }
}
