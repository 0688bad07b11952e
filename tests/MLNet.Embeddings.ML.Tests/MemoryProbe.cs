using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>
/// <c>dotnet MLNet.Embeddings.ML.Tests.dll mlmem [MODEL] [--rows 200]</c>: memory and time of each stage of an embedded
/// model's life with the real all-MiniLM-L6-v2 (default) or MODEL: fit, transform + consume, save (twice), load and
/// consume in this process, then load and consume in a fresh process. Per stage: wall and CPU seconds, bytes the GC
/// allocated (<see cref="GC.GetTotalAllocatedBytes"/>), peak RSS during the stage (VmHWM, reset before each stage
/// through /proc/self/clear_refs), RSS and the managed heap after it. Prints a Markdown table.
/// </summary>
public static class MemoryProbe
{
    public sealed class TextRow { public string Text { get; set; } = ""; }

    public static int Run(string[] args)
    {
        string Arg(string name, string fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback; }
        int rows = int.Parse(Arg("--rows", "200"), CultureInfo.InvariantCulture);
        if (args.Length > 0 && args[0] == "child") return Child(args[1], rows);
        if (args.Length > 0 && args[0] == "carriers") return CarrierProbe.Run(args[1..]);
        if (args.Length > 0 && args[0] == "lookup") return LookupOnly(int.Parse(args[1], CultureInfo.InvariantCulture), args[2][0], args[2][1]);
        string model = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : TestData.MiniLm;
        string dir = TestData.TempDir();
        Environment.SetEnvironmentVariable("MLNET_EMBEDDINGS_CACHE", Path.Combine(dir, "unpacked"));
        try
        {
            Console.WriteLine($"model {model}; {Environment.ProcessorCount} CPUs, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            Console.WriteLine("| stage | wall s | CPU s | allocated MB | peak RSS MB | RSS after MB | managed heap after MB |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            var ml = new MLContext(seed: 1);
            ml.ComponentCatalog.RegisterAssembly(typeof(EmbeddingModel).Assembly);
            var data = ml.Data.LoadFromEnumerable(Texts(rows).Select(t => new TextRow { Text = t }).ToArray());
            ITransformer fitted = null!;
            Stage("fit ApplyEmbedding", () => fitted = ml.Transforms.ApplyEmbedding("E", "Text", model).Fit(data));
            Stage($"transform + consume {rows} rows", () => Consume(fitted.Transform(data), rows));
            string zip = Path.Combine(dir, "model.zip");
            if (args.Contains("--parts"))
            {
                var t = (EmbeddingTransformer)fitted;
                string text = "";
                Stage("  part: state text (SavedState.Build)", () => text = t.State.SavedText());
                Stage("  part: stock chain with the text (MapValue fit)", () => SavedPipeline.Embedding(t.State, t.Columns, data.Schema, text));
            }
            Stage("Model.Save (first)", () => ml.Model.Save(fitted, data.Schema, zip));
            Stage("Model.Save (second, same transformer)", () => ml.Model.Save(fitted, data.Schema, zip));
            Console.WriteLine($"<!-- zip {new FileInfo(zip).Length / 1e6:F1} MB -->");
            ITransformer loaded = null!;
            Stage("Model.Load (same process)", () => loaded = ml.Model.Load(zip, out _));
            Stage($"consume {rows} rows after load", () => Consume(loaded.Transform(data), rows));
            fitted = null!; loaded = null!;
            var clock = Stopwatch.StartNew();
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
            psi.Environment["MLNET_EMBEDDINGS_CACHE"] = Path.Combine(dir, "unpacked-fresh");
            foreach (var a in new[] { typeof(Program).Assembly.Location, "mlmem", "child", zip, "--rows", rows.ToString(CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            Console.Write(p.StandardOutput.ReadToEnd());
            p.WaitForExit();
            Console.WriteLine($"<!-- fresh process total {clock.Elapsed.TotalSeconds:F1} s, exit {p.ExitCode}; this process peak RSS {Hwm(reset: false):F0} MB -->");
            return p.ExitCode;
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>ML.NET's own cost for a MapValue lookup holding one text of <paramref name="chars"/> chars drawn from [lo, hi].</summary>
    static int LookupOnly(int chars, char lo, char hi)
    {
        var rng = new Random(1);
        string text = string.Create(chars, rng, (span, r) => { for (int i = 0; i < span.Length; i++) span[i] = (char)r.Next(lo, hi + 1); });
        var ml = new MLContext();
        string zip = Path.Combine(TestData.TempDir(), "lookup.zip");
        var key = ml.Data.LoadFromEnumerable(new[] { new Mapping.KeyOutput { Key = 1 } });
        Console.WriteLine($"| {chars:N0} chars in [U+{(int)lo:X4}, U+{(int)hi:X4}] | | | | | | |");
        ITransformer t = null!;
        Stage("MapValue made", () => t = ml.Transforms.Conversion.MapValue(Mapping.MappingColumns.State, new[] { new KeyValuePair<float, string>(1f, text) }, Mapping.MappingColumns.Key).Fit(key));
        Stage("saved", () => ml.Model.Save(t, key.Schema, zip));
        Console.WriteLine($"<!-- zip {new FileInfo(zip).Length / 1e6:F1} MB -->");
        t = null!; text = null!;
        Stage("loaded", () => t = ml.Model.Load(zip, out _));
        return 0;
    }

    static int Child(string zip, int rows)
    {
        var ml = new MLContext(seed: 1);
        ml.ComponentCatalog.RegisterAssembly(typeof(EmbeddingModel).Assembly);
        var data = ml.Data.LoadFromEnumerable(Texts(rows).Select(t => new TextRow { Text = t }).ToArray());
        ITransformer loaded = null!;
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        double baseline = Status("VmRSS:");
        Stage("fresh process: Model.Load", () => loaded = ml.Model.Load(zip, out _));
        Console.WriteLine($"<!-- fresh process: RSS before Model.Load {baseline:F0} MB; peak above it {Hwm(reset: false) - baseline:F0} MB = {(Hwm(reset: false) - baseline) / (new FileInfo(zip).Length / 1048576.0):F2}x the zip -->");
        Stage($"fresh process: consume {rows} rows", () => Consume(loaded.Transform(data), rows));
        return 0;
    }

    static void Stage(string name, Action action)
    {
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        Hwm(reset: true);
        long alloc = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        action();
        double wall = clock.Elapsed.TotalSeconds;
        double cpuS = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        double mb = (GC.GetTotalAllocatedBytes(precise: true) - alloc) / 1e6;
        double peak = Hwm(reset: false);
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        double rss = Status("VmRSS:"), heap = GC.GetTotalMemory(forceFullCollection: true) / 1e6;
        Console.WriteLine($"| {name} | {wall:F1} | {cpuS:F1} | {mb:F0} | {peak:F0} | {rss:F0} | {heap:F0} |");
    }

    /// <summary>Peak RSS in MB since the last reset; resetting writes 5 to /proc/self/clear_refs.</summary>
    static double Hwm(bool reset)
    {
        if (reset) { try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { } }
        return Status("VmHWM:");
    }

    static double Status(string key)
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    static void Consume(IDataView view, int expected)
    {
        var col = view.Schema["E"];
        using var cursor = view.GetRowCursor(new[] { col });
        var get = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> v = default;
        int n = 0;
        while (cursor.MoveNext()) { get(ref v); n++; }
        if (n != expected) throw new InvalidOperationException($"the cursor saw {n} rows of {expected}");
    }

    static IEnumerable<string> Texts(int rows) => TestData.StsFile(TestData.StsTest).Take(rows).Select(p => p.A);
}
