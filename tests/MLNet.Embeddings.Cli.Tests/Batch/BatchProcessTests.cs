using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace MLNet.Embeddings.Cli.Tests.Batch;

/// <summary>
/// <c>embed</c> as real, separate processes: killed with SIGKILL at random points and resumed, and run as four
/// concurrent shards then merged. Both must give the reference output of one uninterrupted run, byte for byte.
/// </summary>
public sealed class BatchProcessTests(BatchProcessFixture fixture, ITestOutputHelper log) : IClassFixture<BatchProcessFixture>
{
    [Fact]
    public async Task KilledWithSigkillAtRandomPointsThenResumedIsByteIdentical()
    {
        string output = Path.Combine(fixture.Dir, "killed.jsonl"), partial = output + ".partial", marker = partial + ".progress";
        long total = new FileInfo(fixture.Reference).Length;
        // Kill once the partial file reaches a random size (sorted, so every run gets further), plus a random
        // 0-40 ms, so kills land inside a window's write, between the write and its commit marker, during encoding
        // and during start-up of a resumed run.
        var random = new Random(20261203);
        var targets = Enumerable.Range(0, 6).Select(_ => (long)(total * (0.05 + 0.85 * random.NextDouble()))).Order().ToArray();
        int kills = 0, torn = 0;
        var clock = Stopwatch.StartNew();
        foreach (long target in targets)
        {
            using var run = CliProcess.Start([.. fixture.Common(output), .. kills > 0 ? new[] { "--resume" } : []]);
            long size = 0;
            while (!run.Process.HasExited && (size = File.Exists(partial) ? new FileInfo(partial).Length : 0) < target)
                await Task.Delay(1);
            await Task.Delay(random.Next(0, 40));
            if (run.Process.HasExited) { log.WriteLine($"run ended before its kill at {target:N0} bytes"); continue; }
            await run.KillAsync();
            kills++;
            Assert.False(File.Exists(output), "the final name must only appear when complete");
            Assert.True(File.Exists(partial) && File.Exists(marker), "a killed run leaves its partial file and commit marker");
            using var doc = JsonDocument.Parse(File.ReadAllBytes(marker));
            long committed = doc.RootElement.GetProperty("bytes").GetInt64(), length = new FileInfo(partial).Length;
            Assert.True(length >= committed, $"partial {length} bytes, committed {committed}");
            if (length > committed) torn++;
            log.WriteLine($"kill {kills} at {size:N0} bytes (target {target:N0}): committed {doc.RootElement.GetProperty("rows").GetInt64():N0} rows / {committed:N0} bytes, {length - committed:N0} uncommitted bytes");
        }
        Assert.True(kills >= 5, $"only {kills} of {targets.Length} runs were killed before they finished");

        using (var last = CliProcess.Start([.. fixture.Common(output), "--resume"]))
        {
            var (code, err) = await last.WaitAsync();
            Assert.True(code == 0, err);
            Assert.Contains("resumed after", err);
        }
        log.WriteLine($"{kills} kills ({torn} left uncommitted bytes), {clock.Elapsed.TotalSeconds:F1} s");
        AssertSameRows(fixture.Reference, output);
        Assert.False(File.Exists(partial));
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task FourConcurrentShardProcessesMergeIntoTheSingleJobsBytes()
    {
        var shards = Enumerable.Range(0, 4).Select(i => Path.Combine(fixture.Dir, $"shard{i}.jsonl")).ToArray();
        var runs = shards.Select((s, i) => CliProcess.Start([.. fixture.Common(s), "--shard", $"{i}/4"])).ToArray();
        try
        {
            foreach (var run in runs)
            {
                var (code, err) = await run.WaitAsync();
                Assert.True(code == 0, err);
            }
        }
        finally { foreach (var run in runs) run.Dispose(); }
        for (int i = 0; i < 4; i++)
        {
            var indices = File.ReadLines(shards[i]).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("index").GetInt64()).ToList();
            Assert.Equal(BatchProcessFixture.Rows / 4, indices.Count);
            Assert.All(indices, r => Assert.Equal(i, r % 4));
        }
        string merged = Path.Combine(fixture.Dir, "merged.jsonl");
        using (var merge = CliProcess.Start(["merge", "--output", merged, "--inputs", .. shards]))
        {
            var (code, err) = await merge.WaitAsync();
            Assert.True(code == 0, err);
        }
        AssertSameRows(fixture.Reference, merged);
    }

    /// <summary>Same bytes; and, so that a failure says what went wrong, every index 0…N−1 once, in order, ids kept, no torn last line.</summary>
    static void AssertSameRows(string reference, string actual)
    {
        var bytes = File.ReadAllBytes(actual);
        Assert.True(bytes.Length > 0 && bytes[^1] == (byte)'\n', "the last line must be complete");
        long expected = 0;
        foreach (var line in File.ReadLines(actual))
        {
            using var doc = JsonDocument.Parse(line);
            long index = doc.RootElement.GetProperty("index").GetInt64();
            Assert.True(index == expected, $"row {expected}: found index {index} (duplicate or missing rows)");
            Assert.Equal($"r{index}", doc.RootElement.GetProperty("id").GetString());
            expected++;
        }
        Assert.Equal(BatchProcessFixture.Rows, expected);
        Assert.True(File.ReadAllBytes(reference).AsSpan().SequenceEqual(bytes), $"{actual} differs from the uninterrupted run's {reference}");
    }
}
