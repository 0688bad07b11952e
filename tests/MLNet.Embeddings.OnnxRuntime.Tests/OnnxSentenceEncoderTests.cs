using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.OnnxRuntime.Backbones;
using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

public class OnnxSentenceEncoderTests
{
    static OnnxOptions Options() => new() { IntraOpThreads = 1 };

    [Fact]
    public void Load_assembles_tokenizer_onnx_backbone_and_folder_settings()
    {
        var encoder = OnnxSentenceEncoder.Load(OrtTestEnvironment.Fixture("tiny-bert"), Options());
        var backbone = Assert.IsType<OnnxBackbone>(encoder.Backbone);
        Assert.Equal("onnx", backbone.ModelType);
        Assert.Equal(32, encoder.Dimensions);
        Assert.Equal(64, backbone.MaxPositions);
        Assert.Equal(PoolingMode.Mean, encoder.Config.Pooling);
        Assert.True(encoder.Config.Normalize);
        Assert.Equal(64, encoder.Config.MaxSeqLength);

        // Tokenizer in front, ONNX in the middle: the ids of a text give the same vectors as the reference for those ids.
        var text = encoder.Tokenizer.Encode("the city of new york");
        Assert.Equal(encoder.Tokenizer.TokenToId("[CLS]"), text.Ids[0]);
        var hidden = backbone.Forward(new TokenBatch(text.Ids, text.TypeIds, [0, text.Length]));
        Assert.Equal(text.Length * 32, hidden.Length);
        Assert.All(hidden, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Explicit_file_inside_onnx_folder_finds_the_tokenizer_one_level_up()
    {
        var file = OrtTestEnvironment.Fixture("tiny-bert", "onnx", "model.onnx");
        var (folder, model) = OnnxSentenceEncoder.Resolve(file);
        Assert.Equal(Path.GetFullPath(OrtTestEnvironment.Fixture("tiny-bert")), folder);
        Assert.Equal(Path.GetFullPath(file), model);
        var encoder = OnnxSentenceEncoder.Load(file, Options());
        Assert.Equal(32, encoder.Backbone.HiddenSize);
    }

    [Fact]
    public void Encode_through_onnx_matches_the_managed_encoder()
    {
        string[] texts = ["the city of new york", "a man is playing music.", "hello", "two people walk in the park while it rains"];
        var folder = OrtTestEnvironment.Fixture("tiny-bert");
        var managed = SentenceEncoder.Load(folder).Encode(texts, new EncodeOptions { Normalize = true });
        var onnx = OnnxSentenceEncoder.Load(folder, Options()).Encode(texts, new EncodeOptions { Normalize = true, BatchSize = 3 });
        Reference.Close(managed.SelectMany(v => v).ToArray(), onnx.SelectMany(v => v).ToArray(), 1e-4f);

        // Our own export with pooling and normalisation inside the graph, loaded beside the same tokenizer.
        var dir = Path.Combine(Path.GetTempPath(), "mlnet-onnx-enc-" + Guid.NewGuid().ToString("N"));
        try
        {
            var exported = Export.OnnxExporter.Export(folder, Path.Combine(dir, "pooled.onnx")).ModelPath;
            var options = Options();
            options.ModelFile = exported;
            var pooled = OnnxSentenceEncoder.Load(folder, options);
            Assert.IsType<OnnxPooledBackbone>(pooled.Backbone);
            Reference.Close(managed.SelectMany(v => v).ToArray(), pooled.Encode(texts).SelectMany(v => v).ToArray(), 1e-4f);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Missing_variant_lists_the_files_that_exist()
    {
        var ex = Assert.Throws<ModelFormatException>(() => OnnxSentenceEncoder.Resolve(OrtTestEnvironment.Fixture("tiny-bert"), "model_qint8_avx2.onnx"));
        Assert.Contains("model_qint8_avx2.onnx", ex.Message);
        Assert.Contains("model.onnx", ex.Message);
    }
}
