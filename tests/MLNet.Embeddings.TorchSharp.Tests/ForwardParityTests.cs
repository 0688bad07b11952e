using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings.TorchSharp.Tests;

/// <summary>The TorchSharp BERT forward against the PyTorch 1.13 fixtures (tools/fixtures/make_bert_fixture.py).</summary>
public class ForwardParityTests
{
    public static TheoryData<string> Models => new() { "tiny-gelu", "small-gelu-new", "tiny-roberta-relu" };

    [Theory]
    [MemberData(nameof(Models))]
    public void LastHiddenStateMatchesPyTorch(string name)
    {
        using var backbone = new TorchBertBackbone(Fixtures.Bert(name));
        var output = backbone.Forward(Fixtures.Batch(name));
        double diff = Fixtures.MaxAbsDiff(output, Fixtures.Expected(name)["last_hidden_state"].Value);
        Assert.True(diff < 1e-4, $"{name}: max abs diff {diff:g3}");
    }

    [Theory]
    [InlineData(PoolingMode.Mean, "mean")]
    [InlineData(PoolingMode.Cls, "cls")]
    [InlineData(PoolingMode.Max, "max")]
    [InlineData(PoolingMode.MeanSqrtLen, "mean_sqrt_len")]
    [InlineData(PoolingMode.WeightedMean, "weightedmean")]
    [InlineData(PoolingMode.LastToken, "lasttoken")]
    public void EveryPoolingMatchesPyTorch(PoolingMode mode, string key)
    {
        const string name = "tiny-gelu";
        var bert = Fixtures.Bert(name);
        using var backbone = new TorchBertBackbone(bert);
        var batch = Fixtures.Batch(name);
        var pooled = new PoolingHead(mode, normalize: false).Forward(backbone.Forward(batch), bert.HiddenSize, batch.Starts, default);
        double diff = Fixtures.MaxAbsDiff(pooled, Fixtures.Expected(name)["pooled." + key].Value);
        Assert.True(diff < 1e-4, $"{key}: max abs diff {diff:g3}");
    }

    [Fact]
    public void PaddingDoesNotLeakIntoShortSequences()
    {
        // One sequence alone and the same sequence in a batch with a much longer one give the same vectors.
        var bert = Fixtures.Bert("tiny-gelu");
        using var backbone = new TorchBertBackbone(bert);
        var full = Fixtures.Batch("tiny-gelu");
        var alone = new MLNet.Embeddings.Backbones.TokenBatch(full.Ids[..full.Starts[1]], full.TypeIds[..full.Starts[1]], [0, full.Starts[1]]);
        var a = backbone.Forward(alone);
        var b = backbone.Forward(full).AsSpan(0, a.Length).ToArray();
        Assert.True(Fixtures.MaxAbsDiff(a, b) < 1e-5);
    }
}
