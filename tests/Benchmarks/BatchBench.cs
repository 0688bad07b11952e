using System.Diagnostics;
using System.Globalization;
using MLNet.Embeddings.Training.Batch;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>
/// <c>batch [--rows 100000,1000000,5000000] [--format parquet|jsonl] [--model GLOVE] [--reference-max 1000000]</c>:
/// peak memory of streaming batch scoring at growing input sizes on the same model. Inputs (GloVe words, 5–30 per
/// text, seeded) are generated in a temp folder and deleted after. Each size runs in a fresh child process that
/// reports its peak RSS (VmHWM); the reference, in the same run, is the earlier design that read every text first and
/// encoded them all (run up to --reference-max rows). Prints each peak and its ratio to the smallest size.
/// </summary>
public static class BatchBench
{
    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "child") return Child(args[1..]);
        string Arg(string name, string fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback; }
        var sizes = Arg("--rows", "100000,1000000,5000000").Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        string format = Arg("--format", "parquet");
        string model = Path.GetFullPath(Arg("--model", FindGlove()));
        long referenceMax = long.Parse(Arg("--reference-max", "1000000"), CultureInfo.InvariantCulture);
        string dir = Directory.CreateTempSubdirectory("batch-bench-").FullName;
        try
        {
            Console.WriteLine($"model {Path.GetFileName(model)}, output .{format}, window 4096; machine: {Environment.ProcessorCount} CPUs (shared, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
            Console.WriteLine("| rows | mode | peak RSS MB | ratio to first | seconds | rows/s |");
            Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: |");
            var first = new Dictionary<string, double>();
            foreach (long rows in sizes)
            {
                string input = Path.Combine(dir, $"in-{rows}.txt");
                Generate(model, input, rows);
                foreach (var mode in new[] { "stream", "reference" })
                {
                    if (mode == "reference" && rows > referenceMax) continue;
                    string output = Path.Combine(dir, $"out-{rows}-{mode}.{format}");
                    var (peakKb, seconds) = Spawn(mode, model, input, output);
                    double mb = peakKb / 1024.0;
                    if (!first.ContainsKey(mode)) first[mode] = mb;
                    Console.WriteLine($"| {rows:N0} | {mode} | {mb:F0} | {mb / first[mode]:F2} | {seconds:F1} | {rows / seconds:N0} |");
                    File.Delete(output);
                }
                File.Delete(input);
            }
            return 0;
        }
        finally { Directory.Delete(dir, true); }
    }

    internal static string FindGlove()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "shared", "data", "glove", "glove.6B.100d.top50k.txt");
            if (File.Exists(p)) return p;
            p = Path.Combine(d.FullName, "..", "shared", "data", "glove", "glove.6B.100d.top50k.txt");
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException("GloVe not found; pass --model FILE");
    }

    internal static void Generate(string glove, string path, long rows)
    {
        var words = File.ReadLines(glove).Take(20_000).Select(l => l[..l.IndexOf(' ')]).ToArray();
        var random = new Random(12);
        using var writer = new StreamWriter(path, false, new System.Text.UTF8Encoding(false), 1 << 20);
        var line = new System.Text.StringBuilder();
        for (long r = 0; r < rows; r++)
        {
            line.Clear();
            int n = random.Next(5, 31);
            for (int w = 0; w < n; w++) { if (w > 0) line.Append(' '); line.Append(words[random.Next(words.Length)]); }
            writer.Write(line); writer.Write('\n');
        }
    }

    static (long PeakKb, double Seconds) Spawn(string mode, string model, string input, string output)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(typeof(BatchBench).Assembly.Location);
        foreach (var a in new[] { "batch", "child", mode, model, input, output }) start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"child {mode} {input} failed: {text}");
        var fields = text.Trim().Split(' ');
        Console.Error.WriteLine($"  {mode} {Path.GetFileName(input)}: {text.Trim()}");
        return (long.Parse(fields[Array.IndexOf(fields, "peak_kb") + 1], CultureInfo.InvariantCulture), clock.Elapsed.TotalSeconds);
    }

    /// <summary>One run in this process; prints <c>peak_kb N</c> (VmHWM) at the end.</summary>
    static int Child(string[] args)
    {
        var (mode, model, input, output) = (args[0], args[1], args[2], args[3]);
        // Where the peak comes from: every 20 ms, the process's RSS split into anonymous and file-backed pages
        // (/proc/self/status) beside the GC's committed bytes; kept: the sample with the highest RSS.
        var peak = new MemorySample();
        using var stop = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var now = MemorySample.Take();
                if (now.RssKb > peak.RssKb) peak = now;
                Thread.Sleep(20);
            }
        }) { IsBackground = true };
        sampler.Start();
        // MLNET_BATCH_ALLOCS=1: which types the large-object heap gets (the GC's allocation ticks, one per ~100 kB).
        using var allocations = Environment.GetEnvironmentVariable("MLNET_BATCH_ALLOCS") == "1" ? new LargeAllocationListener() : null;
        var encoder = SentenceEncoder.Load(model);
        if (mode == "stream")
        {
            // MLNET_BATCH_PROBE=N: every N rows, a full compacting GC and the live managed bytes (what the run retains).
            IProgress<long>? probe = null;
            if (long.TryParse(Environment.GetEnvironmentVariable("MLNET_BATCH_PROBE"), out long every) && every > 0)
            {
                long next = every;
                probe = new Callback(done =>
                {
                    if (done < next) return;
                    next += every;
                    Console.Error.WriteLine($"probe rows {done} live_kb {GC.GetTotalMemory(forceFullCollection: true) / 1024}");
                });
            }
            BatchJob.Run(encoder, new BatchJobOptions { Input = input, Output = output }, probe);
        }
        else
        {
            // The earlier design: every text in memory, one Encode over the lot, then write.
            var rows = BatchInput.Read(input).ToList();
            var vectors = encoder.Encode(rows.Select(r => r.Text).ToList());
            using var stream = File.Create(output);
            using var writer = EmbeddingWriter.Create(BatchInput.FormatOf(output), stream, Quantization.EmbeddingPrecision.Float32, null, false);
            for (int from = 0; from < rows.Count; from += 4096)
            {
                int n = Math.Min(4096, rows.Count - from);
                writer.WriteWindow(rows.GetRange(from, n), vectors.AsSpan(from, n).ToArray());
            }
            writer.Complete();
        }
        string hwm = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        stop.Cancel();
        sampler.Join();
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        Console.WriteLine($"at_rss_peak: rss_kb {peak.RssKb} anon_kb {peak.AnonKb} file_kb {peak.FileKb} gc_committed_kb {peak.GcCommittedKb} native_anon_kb {peak.AnonKb - peak.GcCommittedKb} " +
            $"last_gc_gen0_before_kb {peak.Gen0BeforeKb} last_gc_fragmented_kb {peak.FragmentedKb} " +
            $"gc_heap_end_kb {info.HeapSizeBytes / 1024} gcs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} " +
            $"jit_kb {System.Runtime.JitInfo.GetCompiledILBytes() / 1024} methods {System.Runtime.JitInfo.GetCompiledMethodCount()} " +
            $"server_gc {System.Runtime.GCSettings.IsServerGC} concurrent_gc {System.Runtime.GCSettings.LatencyMode != System.Runtime.GCLatencyMode.Batch} peak_kb {hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]}");
        if (allocations is not null) Console.Error.WriteLine(allocations.Report());
        return 0;
    }

    /// <summary>One reading of VmRSS, RssAnon, RssFile (kB), the GC's committed bytes and, of the last GC, gen 0's size before it and the fragmentation after it.</summary>
    readonly record struct MemorySample(long RssKb, long AnonKb, long FileKb, long GcCommittedKb, long Gen0BeforeKb, long FragmentedKb)
    {
        public static MemorySample Take()
        {
            var info = GC.GetGCMemoryInfo(GCKind.Any);
            long gc = info.TotalCommittedBytes / 1024;
            long rss = 0, anon = 0, file = 0;
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line);
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anon = Kb(line);
                else if (line.StartsWith("RssFile:", StringComparison.Ordinal)) file = Kb(line);
            }
            return new MemorySample(rss, anon, file, gc, info.GenerationInfo[0].SizeBeforeBytes / 1024, info.FragmentedBytes / 1024);
        }

        static long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    sealed class Callback(Action<long> action) : IProgress<long> { public void Report(long value) => action(value); }
}
