using MLNet.Embeddings.Backbones.Static;

namespace MLNet.Embeddings.Tests.Static;

/// <summary>
/// Encode on a static model pools from a reused buffer (no large array per batch): the vectors must equal the plain
/// path (a fresh token matrix from <see cref="StaticEmbeddingBackbone.Forward(Tokenization.TokenBatch, CancellationToken)"/>,
/// then the pooling head), also when a long batch leaves the buffer full of other values before a short one.
/// </summary>
public sealed class GlovePooledEncodeTests(GloveFixture glove) : IClassFixture<GloveFixture>
{
    [Fact]
    public void EncodeEqualsTheFreshTokenMatrixPath()
    {
        var encoder = glove.Encoder;
        var random = new Random(5);
        string Text(int words) => string.Join(' ', Enumerable.Range(0, words).Select(_ => glove.Tokenizer.IdToToken(random.Next(2_000))));
        var lengths = new[] { 400, 300, 250 }.Concat(Enumerable.Range(0, 40).Select(_ => random.Next(1, 12))).ToArray();
        var texts = lengths.Select(Text).ToList();
        texts.Add("");
        var options = new EncodeOptions { BatchSize = 3 };
        var vectors = encoder.Encode(texts, options); // longest first: the long batch fills the buffer, then short ones reuse it

        var head = encoder.CreatePoolingHead(options);
        for (int i = 0; i < texts.Count; i++)
        {
            var one = encoder.TokenizeBatch([texts[i]], options);
            var tokens = glove.Backbone.Forward(one.Batch);
            var expected = head.Forward(tokens, glove.Backbone.HiddenSize, one.Batch.Starts, one.Skip);
            Assert.Equal(expected, vectors[i]);
        }
    }
}
