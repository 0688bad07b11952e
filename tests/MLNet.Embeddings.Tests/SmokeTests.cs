using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.Tests;

public class TokenBatchTests
{
    [Fact]
    public void PacksSequencesEndToEnd()
    {
        var a = new TokenizedText(new[] { 1, 2, 3 }, new int[3], new (int, int)[3]);
        var b = new TokenizedText(new[] { 4, 5 }, new int[2], new (int, int)[2]);
        var batch = TokenBatch.From(new[] { a, b });
        Assert.Equal(new[] { 0, 3, 5 }, batch.Starts);
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, batch.Ids);
        Assert.Equal(2, batch.Length(1));
        Assert.Equal(3, batch.MaxLength);
    }
}
