using System.Diagnostics;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.TorchSharp;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Benchmarks -- torch [--seconds S] [--threads N] [--rounds R] [--device cpu|cuda]</c>:
/// sentences/s of one MiniLM-L6-shaped random model (hidden 384, 6 layers, 12 heads, FFN 1536, vocab 30522) run by the
/// managed BERT and by the TorchSharp backbone (libtorch), batches of 32 at 32 and 128 tokens and mixed lengths
/// (8–128, sorted as Encode batches them). The two alternate R times in one process; medians and the ratio are printed.
/// </summary>
public static class TorchInferenceBench
{
    public static int Run(string[] args)
    {
        double seconds = SgemmBench.Arg(args, "--seconds", 2);
        int threads = (int)SgemmBench.Arg(args, "--threads", Environment.ProcessorCount);
        int rounds = (int)SgemmBench.Arg(args, "--rounds", 3);
        string device = TrainBench.Text(args, "--device", "cpu");
        Sgemm.MaxThreads = threads;
        global::TorchSharp.torch.set_num_threads(threads);
        var config = BenchModels.MiniLmShape();
        var managed = BertBackbone.Create(config, 0);
        using var torch = new TorchBertBackbone(managed, device);
        var r = new Random(1);
        var workloads = new (string Name, int[] Lengths)[]
        {
            ("fixed32", Enumerable.Repeat(32, 128).ToArray()),
            ("fixed128", Enumerable.Repeat(128, 64).ToArray()),
            ("mixed", Enumerable.Range(0, 128).Select(_ => r.Next(8, 129)).Order().ToArray()),
        };
        foreach (var (name, lengths) in workloads)
        {
            var batches = BenchModels.RandomBatches(lengths, r, config.VocabSize);
            var m = new List<double>(); var t = new List<double>();
            for (int round = 0; round < rounds; round++) { m.Add(Throughput(managed, batches, seconds)); t.Add(Throughput(torch, batches, seconds)); }
            double mm = TrainBench.Median(m), tm = TrainBench.Median(t);
            Console.WriteLine($"{{\"bench\":\"torch-inference\",\"workload\":\"{name}\",\"device\":\"{torch.Device}\",\"threads\":{threads},\"rounds\":{rounds},"
                + $"\"managed_sentences_per_s\":{mm:F1},\"torchsharp_sentences_per_s\":{tm:F1},\"torchsharp_over_managed\":{tm / mm:F2}}}");
        }
        return 0;
    }

    static double Throughput(IBackbone backbone, List<TokenBatch> batches, double seconds)
    {
        var warm = Stopwatch.StartNew();
        do foreach (var b in batches) backbone.Forward(b); while (warm.Elapsed.TotalSeconds < 0.5);
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        int n = 0; var sw = Stopwatch.StartNew();
        do foreach (var b in batches) { backbone.Forward(b); n += b.Count; } while (sw.Elapsed.TotalSeconds < seconds);
        return n / sw.Elapsed.TotalSeconds;
    }
}
