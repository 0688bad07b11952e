using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML.Mapping;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>
/// <c>dotnet MLNet.Embeddings.ML.Tests.dll mlmem carriers [MB]</c>: what <c>ml.Model.Load</c> costs for MB megabytes
/// of random (incompressible, like a zipped model) bytes carried by each stock ML.NET storage we can reach with the
/// public API: one MapValue text value (base64), one MapValue byte-vector value, one MapValue with many byte-vector
/// rows, and one MapValue stage per chunk. Each zip is loaded in a fresh process after a warm-up load of a tiny zip of
/// the same shape; printed: zip size, peak RSS above the process's RSS before the load, GC bytes allocated.
/// </summary>
public static class CarrierProbe
{
    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "child") return Child(args[1], args[2]);
        int mb = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 90;
        string dir = TestData.TempDir();
        try
        {
            Console.WriteLine($"{mb} MB random payload; {Environment.ProcessorCount} CPUs, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            Console.WriteLine("| carrier | zip MB | Load: peak RSS above baseline MB | ×zip | allocated MB |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
            foreach (var (name, chunk) in new[] { ("text", 0), ("bytes-one-row", 0), ("bytes-rows", 4), ("bytes-stages", 4), ("bytes-stages-gc", 4), ("bytes-stages-gc", 1) })
            {
                string label = chunk > 0 ? $"{name} ({chunk} MB chunks)" : name;
                string big = Path.Combine(dir, "big.zip"), small = Path.Combine(dir, "small.zip");
                Write(name, chunk, mb << 20, big);
                Write(name, chunk, 4096, small);
                var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
                foreach (var a in new[] { typeof(Program).Assembly.Location, "mlmem", "carriers", "child", small, big }) psi.ArgumentList.Add(a);
                using var p = Process.Start(psi)!;
                var parts = p.StandardOutput.ReadToEnd().Trim().Split(' ');
                p.WaitForExit();
                double zip = new FileInfo(big).Length / 1e6, peak = double.Parse(parts[0], CultureInfo.InvariantCulture);
                Console.WriteLine($"| {label} | {zip:F1} | {peak:F0} | {peak / zip:F1} | {parts[1]} |");
            }
            return 0;
        }
        finally { Directory.Delete(dir, true); }
    }

    static void Write(string name, int chunkMb, int bytes, string zip)
    {
        var ml = new MLContext();
        var payload = new byte[bytes];
        new Random(1).NextBytes(payload);
        var key = ml.Data.LoadFromEnumerable(new[] { new KeyOutput { Key = 1 } });
        int chunk = chunkMb > 0 ? Math.Min(bytes, chunkMb << 20) : bytes;
        var chunks = Enumerable.Range(0, (bytes + chunk - 1) / chunk).Select(i => payload.AsSpan(i * chunk, Math.Min(chunk, bytes - i * chunk)).ToArray()).ToArray();
        IEstimator<ITransformer> e = name switch
        {
            "text" => ml.Transforms.Conversion.MapValue(MappingColumns.State, new[] { new KeyValuePair<float, string>(1, Convert.ToBase64String(payload)) }, MappingColumns.Key),
            "bytes-one-row" => ml.Transforms.Conversion.MapValue(MappingColumns.State, new[] { new KeyValuePair<float, byte[]>(1, payload) }, MappingColumns.Key),
            "bytes-rows" => ml.Transforms.Conversion.MapValue(MappingColumns.State, chunks.Select((c, i) => new KeyValuePair<float, byte[]>(i + 1, c)), MappingColumns.Key),
            "bytes-stages" => chunks.Select((c, i) => (IEstimator<ITransformer>)ml.Transforms.Conversion.MapValue(MappingColumns.State + i, new[] { new KeyValuePair<float, byte[]>(1, c) }, MappingColumns.Key))
                .Aggregate((a, b) => a.Append(b)),
            "bytes-stages-gc" => chunks.Select((c, i) => (IEstimator<ITransformer>)ml.Transforms.Conversion.MapValue(MappingColumns.State + i, new[] { new KeyValuePair<float, byte[]>(1, c) }, MappingColumns.Key)
                    .Append(ml.Transforms.CustomMapping(new CollectFactory().GetMapping(), CollectFactory.Contract)))
                .Aggregate((a, b) => a.Append(b)),
            _ => throw new ArgumentException(name),
        };
        ml.Model.Save(e.Fit(key), key.Schema, zip);
    }

    public static int Child(string small, string big)
    {
        var ml = new MLContext();
        ml.ComponentCatalog.RegisterAssembly(typeof(CarrierProbe).Assembly);
        ml.ComponentCatalog.RegisterAssembly(typeof(EmbeddingModel).Assembly);
        ml.Model.Load(small, out _); // JIT and assemblies: the baseline is a process that has loaded a model before
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        File.WriteAllText("/proc/self/clear_refs", "5");
        double before = Status("VmRSS:");
        long alloc = GC.GetTotalAllocatedBytes(precise: true);
        var t = ml.Model.Load(big, out _);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - alloc;
        GC.KeepAlive(t);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Status("VmHWM:") - before:F0} {allocated / 1e6:F0}"));
        return 0;
    }

    public sealed class CollectInput { [ColumnName(MappingColumns.Key)] public float Key { get; set; } }
    public sealed class CollectOutput { [ColumnName("__collect")] public float Value { get; set; } }

    /// <summary>A stage whose load runs a blocking GC (ML.NET builds the mapping while it loads the chain).</summary>
    [Microsoft.ML.Transforms.CustomMappingFactoryAttribute(Contract)]
    public sealed class CollectFactory : Microsoft.ML.Transforms.CustomMappingFactory<CollectInput, CollectOutput>
    {
        public const string Contract = "MLNet.Embeddings.Probe.Collect";
        public override Action<CollectInput, CollectOutput> GetMapping() { GC.Collect(); return static (_, o) => o.Value = 0; }
    }

    static double Status(string key)
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
