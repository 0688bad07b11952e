using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tests.Bert;

namespace MLNet.Embeddings.Tests.Encoder;

/// <summary><see cref="EncodeOptions.Pooling"/>: a pooling mode per call, without changing the model's config.</summary>
public sealed class EncodePoolingOptionTests
{
    static readonly (PoolingMode Mode, string Name)[] Modes =
    {
        (PoolingMode.Mean, "mean"), (PoolingMode.Cls, "cls"), (PoolingMode.Max, "max"),
        (PoolingMode.MeanSqrtLen, "mean_sqrt_len"), (PoolingMode.WeightedMean, "weightedmean"), (PoolingMode.LastToken, "lasttoken"),
    };

    [Fact]
    public void EveryModeAsAnEncodeOptionMatchesPyTorchAndLeavesTheConfigAlone()
    {
        var encoder = SentenceEncoder.Load(BertFixture.Folder("tiny-gelu"));
        var expected = BertFixture.Expected("tiny-gelu");
        var batch = BertFixture.Batch("tiny-gelu");
        foreach (var (mode, name) in Modes)
        {
            var pooled = encoder.Embed(batch, ReadOnlySpan<int>.Empty, encoder.CreatePoolingHead(new EncodeOptions { Pooling = mode }));
            double diff = BertFixture.MaxAbsDiff(expected["pooled." + name].Value, pooled);
            Assert.True(diff < 1e-4, $"{name}: max |diff| {diff}");
        }
        Assert.Equal(PoolingMode.Mean, encoder.Config.Pooling);
        // Encode takes it too: the same vectors as a model whose config says cls
        var cls = SentenceEncoder.Load(BertFixture.Folder("tiny-gelu"));
        cls.Config.Pooling = PoolingMode.Cls;
        string[] texts = ["hello world", "the quick brown fox"];
        Assert.Equal(cls.Encode(texts), encoder.Encode(texts, new EncodeOptions { Pooling = PoolingMode.Cls }));
        Assert.NotEqual(encoder.Encode(texts)[0], encoder.Encode(texts, new EncodeOptions { Pooling = PoolingMode.Cls })[0]);
    }

    sealed class PooledStub(IBackbone inner) : IPooledBackbone
    {
        public string ModelType => inner.ModelType;
        public int HiddenSize => inner.HiddenSize;
        public int MaxPositions => inner.MaxPositions;
        public int Dimensions => inner.HiddenSize;
        public float[] Forward(TokenBatch batch, CancellationToken cancellationToken = default) => inner.Forward(batch, cancellationToken);
        public float[] ForwardPooled(TokenBatch batch, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public void Save(string folder) => inner.Save(folder);
    }

    [Fact]
    public void AModelThatPoolsInsideItsBackboneAcceptsOnlyItsOwnMode()
    {
        var plain = SentenceEncoder.Load(BertFixture.Folder("tiny-gelu"));
        var pooled = new SentenceEncoder(plain.Tokenizer, new PooledStub(plain.Backbone), plain.Config);
        var ex = Assert.Throws<ConfigurationException>(() => pooled.CreatePoolingHead(new EncodeOptions { Pooling = PoolingMode.Cls }));
        Assert.Equal(nameof(EncodeOptions.Pooling), ex.Setting);
        Assert.Contains("Mean", ex.Message);
        Assert.NotNull(pooled.CreatePoolingHead(new EncodeOptions { Pooling = PoolingMode.Mean }));
    }
}
