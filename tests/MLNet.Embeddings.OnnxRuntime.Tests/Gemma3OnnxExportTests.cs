using MLNet.Embeddings.Backbones.Gemma3;
using MLNet.Embeddings.OnnxRuntime.Backbones;
using MLNet.Embeddings.OnnxRuntime.Export;
using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>
/// Gemma 3 exported by our writer and run in ONNX Runtime equals the managed backbone within 1e-4 on the tiny
/// random folders of MLNet.Embeddings.Tests (bidirectional and causal, sliding layers, grouped-query heads), and the
/// EmbeddingGemma layout's mean → 2_Dense → 3_Dense → Normalize inside the graph.
/// </summary>
public sealed class Gemma3OnnxExportTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-onnx-gemma3-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }

    static string Folder(string name) => Path.Combine(OrtTestEnvironment.RepoRoot, "tests", "MLNet.Embeddings.Tests", "Fixtures", "gemma3", name);

    static OnnxOptions Options() => new() { IntraOpThreads = 1 };

    [Theory]
    [InlineData("tiny-bidirectional")]
    [InlineData("tiny-causal")]
    [InlineData("embeddinggemma")]
    public void Exported_hidden_states_match_the_managed_backbone(string name)
    {
        var managed = Gemma3Backbone.Load(Folder(name));
        var path = OnnxExporter.Export(managed, new SentenceEncoderConfig(), Path.Combine(_dir, name + ".onnx"), new OnnxExportOptions { IncludePooling = false }).ModelPath;
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
    public void EmbeddingGemma_folder_exports_mean_dense_dense_normalize_in_the_graph()
    {
        var encoder = SentenceEncoder.Load(Folder("embeddinggemma"));
        Assert.Equal(2, encoder.Config.Dense.Count);
        var path = OnnxExporter.Export(encoder, Path.Combine(_dir, "pooled.onnx")).ModelPath;
        using var onnx = OnnxBackbone.Open(path, Options());
        var pooled = Assert.IsType<OnnxPooledBackbone>(onnx);
        Assert.Equal(encoder.Config.Dense[^1].OutFeatures, pooled.Dimensions);
        var batch = Qwen3OnnxExportTests.Batch(((Gemma3Backbone)encoder.Backbone).Config.VocabSize, 5, 6, 1, 19, 3);
        var hidden = encoder.Backbone.Forward(batch);
        int h = encoder.Backbone.HiddenSize;
        var means = new float[batch.Count * h];
        for (int i = 0; i < batch.Count; i++)
            for (int t = batch.Starts[i]; t < batch.Starts[i + 1]; t++)
                for (int d = 0; d < h; d++) means[i * h + d] += hidden[t * h + d] / batch.Length(i);
        var v = means;
        foreach (var layer in encoder.Config.Dense) v = layer.Forward(v, batch.Count);
        int w = pooled.Dimensions;
        for (int i = 0; i < batch.Count; i++)
        {
            var row = v.AsSpan(i * w, w);
            float norm = MathF.Sqrt(row.ToArray().Sum(x => x * x));
            for (int d = 0; d < w; d++) row[d] /= norm;
        }
        Reference.Close(v, pooled.ForwardPooled(batch), 1e-4f);
        // Exported from the folder itself (as the export command does): the same Dense modules from 2_Dense, 3_Dense.
        var byFolder = OnnxExporter.Export(Folder("embeddinggemma"), Path.Combine(_dir, "folder.onnx"));
        Assert.Equal(pooled.Dimensions, byFolder.Dimensions);
        using var fromFolder = (OnnxPooledBackbone)OnnxBackbone.Open(byFolder.ModelPath, Options());
        Reference.Close(v, fromFolder.ForwardPooled(batch), 1e-4f);
    }
}
