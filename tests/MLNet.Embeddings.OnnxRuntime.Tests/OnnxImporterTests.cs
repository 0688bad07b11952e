using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.OnnxRuntime.Export;
using MLNet.Embeddings.OnnxRuntime.Import;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>The ONNX importer on small graphs: our own exports of the tiny BERT fixture, and graphs it must refuse (the real PyTorch export is in <see cref="MiniLmImportTests"/>).</summary>
public sealed class OnnxImporterTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-onnx-import-" + Guid.NewGuid().ToString("N"));

    public OnnxImporterTests() => Directory.CreateDirectory(_dir);

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }

    static void AssertSameModel(string folder, ImportedBert imported)
    {
        var config = BertConfig.Load(Path.Combine(folder, "config.json"));
        var c = imported.Config;
        Assert.Equal((config.VocabSize, config.HiddenSize, config.NumHiddenLayers, config.NumAttentionHeads, config.IntermediateSize, config.MaxPositionEmbeddings, config.TypeVocabSize, config.HiddenAct),
            (c.VocabSize, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize, c.MaxPositionEmbeddings, c.TypeVocabSize, c.HiddenAct));
        Assert.Equal(config.LayerNormEps, c.LayerNormEps, config.LayerNormEps * 1e-6f);
        var original = SafeTensors.Read(Path.Combine(folder, "model.safetensors"));
        var backbone = new BertBackbone(c, imported.Tensors);
        foreach (var p in backbone.Parameters)
        {
            var expected = original.TryGetValue(p.Name, out var o) ? o : original["bert." + p.Name];
            Assert.Equal(expected.Shape, p.Shape);
            Assert.True(expected.Value.AsSpan().SequenceEqual(p.Value), $"tensor {p.Name} differs");
        }
    }

    [Theory]
    [InlineData(14, false)] // decomposed LayerNorm, weights named as HF and stored [in, out]
    [InlineData(17, true)]  // LayerNormalization op, pooling + normalisation in the graph
    public void Our_export_imports_back_to_the_same_weights(int opset, bool pooling)
    {
        var folder = OrtTestEnvironment.Fixture("tiny-bert");
        var onnx = OnnxExporter.Export(folder, Path.Combine(_dir, "model.onnx"), new OnnxExportOptions { Opset = opset, IncludePooling = pooling }).ModelPath;
        AssertSameModel(folder, OnnxImporter.ReadBert(onnx));
    }

    [Fact]
    public void Convert_writes_a_folder_that_loads_and_encodes_like_the_original()
    {
        var folder = OrtTestEnvironment.Fixture("tiny-bert");
        var onnx = OnnxExporter.Export(folder, Path.Combine(_dir, "model.onnx"), new OnnxExportOptions { Opset = 14, IncludePooling = false }).ModelPath;
        var result = OnnxImporter.Convert(onnx, Path.Combine(folder, "vocab.txt"), Path.Combine(_dir, "converted"),
            new OnnxImportOptions { MaxSeqLength = 32 });
        Assert.False(Directory.EnumerateDirectories(_dir, ".converted.tmp*").Any());
        var converted = SentenceEncoder.Load(result.Folder);
        Assert.Equal(32, converted.Config.MaxSeqLength);
        Assert.True(converted.Config.Normalize);
        var original = SentenceEncoder.Load(folder);
        string[] texts = ["a short text", "another, somewhat longer sentence about revenue"];
        var a = converted.Encode(texts); var b = original.Encode(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            float norm = MathF.Sqrt(b[i].Sum(v => v * v));
            for (int d = 0; d < a[i].Length; d++) Assert.Equal(b[i][d] / norm, a[i][d], 1e-6f);
        }
    }

    [Fact]
    public void A_matmul_weight_without_a_named_bias_is_refused_naming_the_node()
    {
        var g = new OnnxGraph(13);
        var ids = g.Input("input_ids", OnnxGraph.Int64, "batch", "sequence");
        var emb = g.Node("Gather", [g.Init("embeddings.word_embeddings.weight", new float[8 * 4], 8, 4), ids]);
        var y = g.Node("MatMul", [emb, g.Init("1234", new float[16], 4, 4)]);
        g.Output(y, "last_hidden_state", OnnxGraph.Float, "batch", "sequence", 4);
        string path = Path.Combine(_dir, "bad.onnx");
        g.Save(path, externalData: false, "test", new Dictionary<string, string>(), "");
        var e = Assert.Throws<ModelFormatException>(() => OnnxImporter.ReadBert(path));
        Assert.Contains("MatMul", e.Message);
        Assert.Contains("'1234'", e.Message);
        Assert.Contains("bias", e.Message);
    }

    [Fact]
    public void A_truncated_file_is_refused_with_the_offset()
    {
        var bytes = File.ReadAllBytes(OrtTestEnvironment.Fixture("tiny-bert", "onnx", "model.onnx"));
        string path = Path.Combine(_dir, "truncated.onnx");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<ModelFormatException>(() => OnnxImporter.ReadBert(path));
        Assert.Contains("truncated.onnx", e.Message);
        Assert.Contains("byte", e.Message);
    }
}
