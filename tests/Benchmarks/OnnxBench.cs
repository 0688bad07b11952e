using System.Diagnostics;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.OnnxRuntime;
using MLNet.Embeddings.OnnxRuntime.Backbones;
using MLNet.Embeddings.OnnxRuntime.Export;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Benchmarks -- onnx [--seconds S] [--threads N]</c>:
/// sentences/s of one MiniLM-L6-shaped random model (hidden 384, 6 layers, 12 heads, FFN 1536, vocab 30522) run by
/// the managed BERT, by ONNX Runtime fp32 and by ONNX Runtime int8 (our export), at 32 and 128 tokens and mixed
/// lengths (8–128) batched by length (sorted) and in arrival order (unsorted, where padding costs ORT), batches of 32;
/// plus the share of each ORT call spent outside ORT's own Run (building the padded inputs in reused buffers,
/// pinning them, creating the OrtValues of the managed API, unpadding the output). ORT is the Microsoft.ML.OnnxRuntime
/// package's native library.
/// </summary>
public static class OnnxBench
{
    public static int Run(string[] args)
    {
        double seconds = SgemmBench.Arg(args, "--seconds", 3);
        int threads = (int)SgemmBench.Arg(args, "--threads", Environment.ProcessorCount);
        Sgemm.MaxThreads = threads;
        var config = BenchModels.MiniLmShape();
        var managed = BertBackbone.Create(config, 0);
        var dir = Path.Combine(Path.GetTempPath(), "mlnet-onnx-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            var settings = new SentenceEncoderConfig();
            var fp32Path = OnnxExporter.Export(managed, settings, Path.Combine(dir, "fp32.onnx"), new OnnxExportOptions { IncludePooling = false }).ModelPath;
            var int8Path = OnnxExporter.Export(managed, settings, Path.Combine(dir, "int8.onnx"), new OnnxExportOptions { IncludePooling = false, Quantize = OnnxQuantization.Int8 }).ModelPath;
            var options = new OnnxOptions { IntraOpThreads = threads };
            using var fp32 = OnnxBackbone.Open(fp32Path, options);
            using var int8 = OnnxBackbone.Open(int8Path, options);
            Console.Error.WriteLine($"ONNX Runtime {OrtSession.Version} (Microsoft.ML.OnnxRuntime, managed API); {threads} threads");

            var r = new Random(1);
            var arrival = Enumerable.Range(0, 256).Select(_ => r.Next(8, 129)).ToArray();
            var mixed = arrival.OrderBy(x => x).ToArray();
            var workloads = new (string Name, int[] Lengths)[]
            {
                ("fixed32", Enumerable.Repeat(32, 256).ToArray()),
                ("fixed128", Enumerable.Repeat(128, 128).ToArray()),
                ("mixed", mixed),                 // sorted by length before batching, as SentenceEncoder.Encode does
                ("mixed-arrival", arrival),       // batched in arrival order (a caller that does not sort): ORT pads
            };
            foreach (var (name, lengths) in workloads)
            {
                var batches = BenchModels.RandomBatches(lengths, r, config.VocabSize);
                double m = Throughput(managed, batches, seconds, out _);
                double f = Throughput(fp32, batches, seconds, out var fpOverhead);
                double q = Throughput(int8, batches, seconds, out var qOverhead);
                Console.WriteLine($"{{\"bench\":\"onnx\",\"workload\":\"{name}\",\"threads\":{threads},\"managed_sentences_per_s\":{m:F1},"
                    + $"\"ort_fp32_sentences_per_s\":{f:F1},\"ort_int8_sentences_per_s\":{q:F1},"
                    + $"\"binding_overhead_fp32_pct\":{fpOverhead.Total * 100:F2},\"binding_overhead_int8_pct\":{qOverhead.Total * 100:F2},"
                    + $"\"fp32_ms_per_batch\":{{\"ort_run\":{fpOverhead.RunMs:F3},\"inputs\":{fpOverhead.InputsMs:F3},\"outputs\":{fpOverhead.OutputsMs:F3},\"other\":{fpOverhead.OtherMs:F3}}}}}");
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
        return 0;
    }

    /// <summary>Sentences/s; for ONNX backbones also the fraction of Forward time outside ORT's Run.</summary>
    static double Throughput(IBackbone backbone, List<TokenBatch> batches, double seconds, out Overhead overhead)
    {
        // Warm-up for a second (at least every batch once): the managed kernels reach the JIT's optimised tier only
        // after some calls, and a 2-call warm-up under-reported them by up to 18 % on the first workload.
        var warm = Stopwatch.StartNew();
        do foreach (var b in batches) backbone.Forward(b); while (warm.Elapsed.TotalSeconds < 1);
        // Start each measurement with a clean heap, so that garbage left by the previous engine's run is not
        // collected (and counted) inside this one's.
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        var session = (backbone as OnnxBackbone)?.Session;
        var before = session?.Timings ?? default;
        int n = 0, calls = 0; long inputTicks = 0; var sw = Stopwatch.StartNew();
        do
        {
            foreach (var b in batches)
            {
                if (backbone is OnnxBackbone onnx)
                {   // time the input building alone, into the reused buffers as Forward does (Forward repeats it; subtracted below)
                    long t0 = Stopwatch.GetTimestamp();
                    onnx.ReturnInputs(onnx.RentInputs(b, out _, out _));
                    inputTicks += Stopwatch.GetTimestamp() - t0;
                }
                backbone.Forward(b); n += b.Count; calls++;
            }
        } while (sw.Elapsed.TotalSeconds < seconds);
        double inputs = inputTicks / (double)Stopwatch.Frequency;
        double total = sw.Elapsed.TotalSeconds - inputs;
        overhead = default;
        if (session is not null)
        {
            var after = session.Timings;
            double native = after.NativeSeconds - before.NativeSeconds, outputs = after.OutputSeconds - before.OutputSeconds;
            overhead = new Overhead((total - native) / total, native / calls * 1e3, inputs / calls * 1e3, outputs / calls * 1e3,
                (total - native - inputs - outputs) / calls * 1e3);
        }
        return n / total;
    }

    readonly record struct Overhead(double Total, double RunMs, double InputsMs, double OutputsMs, double OtherMs);
}
