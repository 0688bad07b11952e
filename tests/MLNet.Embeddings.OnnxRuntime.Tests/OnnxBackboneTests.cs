using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.OnnxRuntime.Backbones;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

public class OnnxBackboneTests
{
    static OnnxOptions Options() => new() { IntraOpThreads = 1 };

    [Fact]
    public void Torch_exported_model_matches_torch_in_one_padded_batch()
    {
        var reference = Reference.Load();
        using var backbone = OnnxBackbone.Open(OrtTestEnvironment.Fixture("tiny-bert", "onnx", "model.onnx"), Options());
        Assert.IsNotType<OnnxPooledBackbone>(backbone);
        Assert.Equal(reference.HiddenSize, backbone.HiddenSize);
        Assert.Equal("last_hidden_state", backbone.TokenOutput);
        var batch = reference.Batch();
        Assert.True(batch.MaxLength > batch.Length(0)); // sequences of different lengths: padding is exercised
        Reference.Close(reference.PackedHidden(), backbone.Forward(batch), 1e-4f);
    }

    [Fact]
    public void Each_sequence_alone_gives_the_same_as_in_a_batch()
    {
        var reference = Reference.Load();
        using var backbone = OnnxBackbone.Open(OrtTestEnvironment.Fixture("tiny-bert", "onnx", "model.onnx"), Options());
        var all = backbone.Forward(reference.Batch());
        int offset = 0;
        foreach (var s in reference.Sequences)
        {
            var one = backbone.Forward(new TokenBatch(s.Ids, s.Types, [0, s.Ids.Length]));
            Reference.Close(all.AsSpan(offset, one.Length), one, 1e-5f);
            offset += one.Length;
        }
    }

    [Fact]
    public void Missing_output_is_named_in_the_error()
    {
        var options = Options();
        options.TokenOutput = "nope";
        var ex = Assert.Throws<ModelFormatException>(() => OnnxBackbone.Open(OrtTestEnvironment.Fixture("tiny-bert", "onnx", "model.onnx"), options));
        Assert.Contains("'nope'", ex.Message);
        Assert.Contains("last_hidden_state", ex.Message);
    }
}
