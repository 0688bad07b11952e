using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.Training.Tests.Training;

public class BatchSamplerTests
{
    [Fact]
    public void NoShuffleKeepsInputOrder()
    {
        var b = BatchSampler.Batches(7, 3, shuffle: false, seed: 1, epoch: 0, dropLast: false);
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5, 6 }, b.SelectMany(x => x));
        Assert.Equal(new[] { 3, 3, 1 }, b.Select(x => x.Length));
        Assert.Equal(2, BatchSampler.Batches(7, 3, false, 1, 0, dropLast: true).Count);
    }

    [Fact]
    public void ShuffleIsSeededPerEpochAndCoversEveryRow()
    {
        var a = BatchSampler.Batches(50, 8, true, 42, 0, false).SelectMany(x => x).ToArray();
        var again = BatchSampler.Batches(50, 8, true, 42, 0, false).SelectMany(x => x).ToArray();
        var next = BatchSampler.Batches(50, 8, true, 42, 1, false).SelectMany(x => x).ToArray();
        Assert.Equal(a, again);
        Assert.NotEqual(a, next);
        Assert.NotEqual(Enumerable.Range(0, 50), a);
        Assert.Equal(Enumerable.Range(0, 50), a.OrderBy(x => x));
    }

    [Fact]
    public void NoDuplicatesKeepsEachTextOncePerBatch()
    {
        // rows 0..19; rows share their positive text in groups of 4
        string[][] texts = Enumerable.Range(0, 20).Select(i => new[] { $"q{i}", $"p{i / 4}" }).ToArray();
        var batches = BatchSampler.Batches(20, 5, true, 3, 0, false, r => texts[r]);
        foreach (var b in batches)
        {
            var all = b.SelectMany(r => texts[r]).ToList();
            Assert.Equal(all.Count, all.Distinct().Count());
        }
        Assert.Equal(Enumerable.Range(0, 20), batches.SelectMany(x => x).OrderBy(x => x));
        // plain batching of the same order would put duplicates together
        Assert.Contains(BatchSampler.Batches(20, 5, false, 3, 0, false), b => b.Select(r => texts[r][1]).Distinct().Count() < b.Length);
    }
}
