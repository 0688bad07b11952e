using MLNet.Embeddings.Kernels;

namespace MLNet.Embeddings.Tests.Kernels;

public class WorkerPoolTests
{
    [Fact]
    public void EveryIndexRunsExactlyOnceAcrossManyJobs()
    {
        var rng = new Random(1);
        for (int job = 0; job < 2000; job++)
        {
            int count = rng.Next(1, 200), threads = rng.Next(1, 5);
            var hits = new int[count];
            WorkerPool.For(count, threads, i => Interlocked.Increment(ref hits[i]));
            Assert.All(hits, h => Assert.Equal(1, h));
            if (job % 500 == 0) Thread.Sleep(2); // let the workers fall asleep now and then: the wake-up path too
        }
    }

    [Fact]
    public void ExceptionOfABodyReachesTheCallerAndThePoolStaysUsable()
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            WorkerPool.For(100, 2, i => { if (i == 37) throw new InvalidOperationException("item 37"); }));
        Assert.Equal("item 37", ex.Message);
        int sum = 0;
        WorkerPool.For(100, 2, i => Interlocked.Add(ref sum, i));
        Assert.Equal(4950, sum);
    }

    [Fact]
    public async Task ConcurrentAndNestedCallersAllComplete()
    {
        // Four threads at once (the pool serves one, the others fall back), each job nesting another.
        long total = 0;
        var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int r = 0; r < 200; r++)
                WorkerPool.For(8, 2, i => WorkerPool.For(10, 2, j => Interlocked.Add(ref total, 1)));
        })).ToArray();
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(4L * 200 * 8 * 10, total);
    }
}
