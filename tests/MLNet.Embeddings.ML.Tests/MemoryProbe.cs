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
        if (args.Length > 0 && args[0] == "chainfit") return ChainFit(args[1..]);
        if (args.Length > 0 && args[0] == "mapbytes") return MapBytes(args[1..]);
        if (args.Length > 0 && args[0] == "warm") return Warm(args.Length > 1 ? args[1] : TestData.MiniLm);
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

    /// <summary>
    /// <c>mlmem warm [MODEL]</c>: the first save's cost, then <c>ml.Model.Load</c> of the zip in a fresh process that
    /// has loaded a tiny zip of the same shape first (ML.NET's assemblies and JIT in the baseline): peak RSS above that
    /// baseline, its ratio to the zip, and the bytes allocated.
    /// </summary>
    static int Warm(string model)
    {
        string dir = TestData.TempDir();
        Environment.SetEnvironmentVariable("MLNET_EMBEDDINGS_CACHE", Path.Combine(dir, "unpacked"));
        try
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(Texts(20).Select(t => new TextRow { Text = t }).ToArray());
            string big = Path.Combine(dir, "big.zip"), small = Path.Combine(dir, "small.zip");
            var fitted = ml.Transforms.ApplyEmbedding("E", "Text", model).Fit(data);
            Console.WriteLine($"model {model}; {Environment.ProcessorCount} CPUs, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            Console.WriteLine("| stage | wall s | CPU s | allocated MB | peak RSS MB | RSS after MB | managed heap after MB |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            var state = ((EmbeddingTransformer)fitted).State;
            IEstimator<ITransformer> stages = null!;
            Stage("  part: the chunk stages (SavedLookup)", () => stages = state.SavedLookup());
            Stage("  part: SavedPipeline.Embedding", () => SavedPipeline.Embedding(state, ((EmbeddingTransformer)fitted).Columns, data.Schema));
            Stage("Model.Save (first)", () => ml.Model.Save(fitted, data.Schema, big));
            ml.Model.Save(ml.Transforms.ApplyEmbedding("E", "Text", TestData.TinyBert).Fit(data), data.Schema, small);
            double zip = new FileInfo(big).Length / 1048576.0;
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
            psi.Environment["MLNET_EMBEDDINGS_CACHE"] = Path.Combine(dir, "unpacked-fresh");
            foreach (var a in new[] { typeof(Program).Assembly.Location, "mlmem", "carriers", "child", small, big }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var parts = p.StandardOutput.ReadToEnd().Trim().Split(' ');
            p.WaitForExit();
            double peak = double.Parse(parts[0], CultureInfo.InvariantCulture);
            Console.WriteLine($"zip {zip:F1} MiB; fresh process after a tiny zip's load: ml.Model.Load peaked {peak:F0} MiB above its baseline = {peak / zip:F2}x the zip; allocated {parts[1]} MB");
            return p.ExitCode;
        }
        finally { Directory.Delete(dir, true); }
    }

    static int MapBytes(string[] sizes)
    {
        var ml = new MLContext();
        foreach (var kb in sizes.Select(a => int.Parse(a, CultureInfo.InvariantCulture)))
            for (int rep = 0; rep < 2; rep++)
            {
                var bytes = new byte[kb << 10];
                new Random(rep).NextBytes(bytes);
                long a0 = GC.GetTotalAllocatedBytes(true);
                var lookup = ml.Data.LoadFromEnumerable(new[] { new ChunkProbeRow { Key = 1, Bytes = bytes } });
                long a1 = GC.GetTotalAllocatedBytes(true);
                var e = ml.Transforms.Conversion.MapValue("v", lookup, lookup.Schema["Key"], lookup.Schema["Bytes"], "k");
                long a2 = GC.GetTotalAllocatedBytes(true);
                var empty = new EmptyDataView(ml.Data.LoadFromEnumerable(new[] { new Mapping.KeyOutput { Key = 1 } }).Schema);
                var renamed = ml.Transforms.CopyColumns("k", Mapping.MappingColumns.Key).Fit(empty).Transform(empty);
                long a3 = GC.GetTotalAllocatedBytes(true);
                var t = e.Fit(renamed);
                long a4 = GC.GetTotalAllocatedBytes(true);
                var o = t.Transform(renamed);
                long a5 = GC.GetTotalAllocatedBytes(true);
                _ = t.GetOutputSchema(renamed.Schema);
                long a6 = GC.GetTotalAllocatedBytes(true);
                Console.WriteLine($"{kb} KB: LoadFromEnumerable {(a1 - a0) / 1e6:F1} MB, MapValue {(a2 - a1) / 1e6:F1} MB, Fit {(a4 - a3) / 1e6:F1} MB, Transform {(a5 - a4) / 1e6:F1} MB, GetOutputSchema {(a6 - a5) / 1e6:F1} MB");
                GC.KeepAlive(e);
            }
        return 0;
    }

    static int ChainFit(string[] counts)
    {
        var ml = new MLContext();
        var keyed = new EmptyDataView(ml.Data.LoadFromEnumerable(new[] { new Mapping.KeyOutput { Key = 1 } }).Schema);
        foreach (var n in counts.Select(a => int.Parse(a, CultureInfo.InvariantCulture)))
        {
            IEstimator<ITransformer> chain = ml.Transforms.CustomMapping(new Mapping.NeedFactory().GetMapping(), Mapping.NeedFactory.Contract);
            var names = new string[n];
            IEstimator<ITransformer> noCollect = null!;
            for (int i = 0; i < n; i++)
            {
                var bytes = new byte[64 << 10];
                names[i] = "__chunk" + i;
                var lookup = ml.Data.LoadFromEnumerable(new[] { new ChunkProbeRow { Key = 1, Bytes = bytes } });
                var mv = ml.Transforms.Conversion.MapValue(names[i], lookup, lookup.Schema["Key"], lookup.Schema["Bytes"], Mapping.MappingColumns.Need);
                noCollect = noCollect is null ? mv : noCollect.Append(mv);
                chain = chain.Append(mv).Append(ml.Transforms.CustomMapping<Mapping.NeedOutput, Mapping.CollectOutput>(static (_, o) => o.Value = 0f, Mapping.CollectFactory.Contract));
            }
            var state = ml.Transforms.Conversion.MapValue(Mapping.MappingColumns.State, new[] { new KeyValuePair<float, string>(1f, "x") }, Mapping.MappingColumns.Key);
            long a0 = GC.GetTotalAllocatedBytes(true);
            state.Append(chain).Fit(keyed);
            long a1 = GC.GetTotalAllocatedBytes(true);
            state.Append(ml.Transforms.CustomMapping(new Mapping.NeedFactory().GetMapping(), Mapping.NeedFactory.Contract)).Append(noCollect).Fit(keyed);
            long a2 = GC.GetTotalAllocatedBytes(true);
            state.Append(chain).Append(ml.Transforms.Concatenate(Mapping.MappingColumns.Blob, names)).Fit(keyed);
            long a3 = GC.GetTotalAllocatedBytes(true);
            IDataView current = keyed;
            var ests = new List<IEstimator<ITransformer>> { state, ml.Transforms.CustomMapping(new Mapping.NeedFactory().GetMapping(), Mapping.NeedFactory.Contract) };
            for (int i = 0; i < n; i++)
            {
                var lookup = ml.Data.LoadFromEnumerable(new[] { new ChunkProbeRow { Key = 1, Bytes = new byte[16] } });
                ests.Add(ml.Transforms.Conversion.MapValue(names[i], lookup, lookup.Schema["Key"], lookup.Schema["Bytes"], Mapping.MappingColumns.Need));
                ests.Add(ml.Transforms.CustomMapping<Mapping.NeedOutput, Mapping.CollectOutput>(static (_, o) => o.Value = 0f, Mapping.CollectFactory.Contract));
            }
            for (int i = 0; i < ests.Count; i++)
            {
                long b0 = GC.GetTotalAllocatedBytes(true);
                var xf = ests[i].Fit(current);
                long b1 = GC.GetTotalAllocatedBytes(true);
                current = xf.Transform(current);
                long b2 = GC.GetTotalAllocatedBytes(true);
                _ = current.Schema;
                long b3 = GC.GetTotalAllocatedBytes(true);
                if (i % 16 == 0 || i == ests.Count - 1) Console.WriteLine($"  step {i} {ests[i].GetType().Name}: Fit {(b1 - b0) / 1e3:F0} KB, Transform {(b2 - b1) / 1e3:F0} KB, Schema {(b3 - b2) / 1e3:F0} KB");
            }
            Console.WriteLine($"{n} pairs: fit {(a1 - a0) / 1e6:F1} MB; without collect stages {(a2 - a1) / 1e6:F1} MB; with Concatenate {(a3 - a2) / 1e6:F1} MB");
        }
        return 0;
    }

    public sealed class ChunkProbeRow { public float Key { get; set; } public byte[] Bytes { get; set; } = []; }

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
