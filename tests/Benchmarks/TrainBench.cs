using System.Diagnostics;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.Tokenization;
using MLNet.Embeddings.TorchSharp;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Benchmarks -- train [--backend managed|torchsharp|both] [--rounds R] [--steps N] [--batch B] [--mini-batch M] [--threads T] [--dropout P] [--layers L] [--no-warmup]</c>:
/// seconds per MNRL training step (tokenize → BERT ForwardTrain → mean pooling → loss → backward → clip → AdamW) on a
/// MiniLM-L6-shaped random model (hidden 384, 6 layers, 12 heads, FFN 1536, vocab 30522) with queries of 16 tokens and
/// passages of 96 tokens, and the process's peak working set. <c>--mini-batch</c> uses cached MNRL (GradCache).
/// The PyTorch side is tools/bench/torch_train_step.py (run it separately: one process per measurement keeps peak memory apart).
/// </summary>
/// <remarks>
/// <c>--backend torchsharp</c> trains the same model on libtorch (CPU); <c>--backend both</c> alternates managed and TorchSharp
/// runs R times in one process and prints the median of each and their ratio (peak memory is then that of both together:
/// measure it with one backend per process).
/// </remarks>
public static class TrainBench
{
    /// <summary>Reads space-separated token ids as given (the benchmark controls lengths exactly).</summary>
    sealed class IdTokenizer : ITokenizer
    {
        public int VocabSize => 30522;
        public int PadId => 0;
        public TokenizedText Encode(string text, int maxLength = 512, bool addSpecialTokens = true)
        {
            var ids = text.Split(' ').Select(int.Parse).ToArray();
            return new TokenizedText(ids, new int[ids.Length], new (int, int)[ids.Length]);
        }
        public string? IdToToken(int id) => null;
        public int? TokenToId(string token) => null;
        public void Save(string folder) { }
    }

    public static int Run(string[] args)
    {
        int steps = (int)SgemmBench.Arg(args, "--steps", 5);
        int batch = (int)SgemmBench.Arg(args, "--batch", 32);
        int mini = (int)SgemmBench.Arg(args, "--mini-batch", 0);
        int threads = (int)SgemmBench.Arg(args, "--threads", Environment.ProcessorCount);
        float dropout = (float)SgemmBench.Arg(args, "--dropout", 0);
        int layers = (int)SgemmBench.Arg(args, "--layers", 6);
        Sgemm.MaxThreads = threads;
        string backend = Text(args, "--backend", "managed");
        int rounds = (int)SgemmBench.Arg(args, "--rounds", 3);
        if (backend is not ("managed" or "torchsharp" or "both")) throw new ArgumentException($"--backend: expected managed, torchsharp or both, found '{backend}'.");
        if (backend != "managed") { TorchSharpBackend.Register(); global::TorchSharp.torch.set_num_threads(threads); }
        if (backend == "both")
        {
            var m = new List<double>(); var t = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                m.Add(Measure(args, TrainingBackend.Managed, steps, batch, mini, dropout, layers, out _, out _, out _));
                t.Add(Measure(args, TrainingBackend.TorchSharp, steps, batch, mini, dropout, layers, out _, out _, out _));
            }
            double mm = Median(m), tm = Median(t);
            Console.WriteLine($"{{\"bench\":\"train\",\"compare\":\"managed_vs_torchsharp\",\"rounds\":{rounds},\"batch\":{batch},\"mini_batch\":{mini},\"threads\":{threads},\"layers\":{layers}," +
                              $"\"managed_seconds_per_step\":{mm:F3},\"torchsharp_seconds_per_step\":{tm:F3},\"torchsharp_over_managed\":{tm / mm:F2}," +
                              $"\"managed_runs\":[{string.Join(",", m.Select(x => x.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}]," +
                              $"\"torchsharp_runs\":[{string.Join(",", t.Select(x => x.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}]}}");
            return 0;
        }
        var which = backend == "torchsharp" ? TrainingBackend.TorchSharp : TrainingBackend.Managed;
        double perStep = Measure(args, which, steps, batch, mini, dropout, layers, out double cpuPerStep, out string lossName, out _);
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        Console.WriteLine($"{{\"bench\":\"train\",\"backend\":\"{backend}\",\"loss\":\"{lossName}\",\"batch\":{batch},\"mini_batch\":{mini},\"threads\":{threads},\"layers\":{layers}," +
                          $"\"seconds_per_step\":{perStep:F3},\"cpu_seconds_per_step\":{cpuPerStep:F3},\"examples_per_s\":{batch / perStep:F1},\"peak_working_set_mb\":{peak / 1048576.0:F0}}}");
        return 0;
    }

    internal static string Text(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    internal static double Median(List<double> xs) { var s = xs.Order().ToArray(); return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2; }

    /// <summary>Mean seconds per step (after a warm-up step) of one training run on <paramref name="backend"/>.</summary>
    static double Measure(string[] args, TrainingBackend backend, int steps, int batch, int mini, float dropout, int layers,
        out double cpuSecondsPerStep, out string lossName, out int done)
    {
        var config = BenchModels.MiniLmShape(layers);
        var model = new SentenceEncoder(new IdTokenizer(), BertBackbone.Create(config, 0), new SentenceEncoderConfig { MaxSeqLength = 128 });
        var r = new Random(1);
        string Text(int n) => string.Join(' ', new[] { 101 }.Concat(Enumerable.Range(0, n - 2).Select(_ => r.Next(1000, 30000))).Append(102));
        var rows = Enumerable.Range(0, batch * (steps + 1)).Select(_ => new TrainingExample { Query = Text(16), Pos = { Text(96) } }).ToList();
        ILoss loss = mini > 0 ? new CachedMultipleNegativesRankingLoss(mini) : new MultipleNegativesRankingLoss();
        var times = new List<double>(); var cpu = new List<double>();
        var proc = Process.GetCurrentProcess();
        var sw = Stopwatch.StartNew(); var cpu0 = proc.TotalProcessorTime;
        var options = new TrainerOptions
        {
            Backend = backend,
            BatchSize = batch, MaxSteps = steps + (args.Contains("--no-warmup") ? 0 : 1), Shuffle = false, Dropout = dropout, LearningRate = 2e-5f,
            Progress = new SyncProgress(_ =>
            {
                proc.Refresh();
                times.Add(sw.Elapsed.TotalSeconds); cpu.Add((proc.TotalProcessorTime - cpu0).TotalSeconds);
                sw.Restart(); cpu0 = proc.TotalProcessorTime;
            }),
        };
        new SentenceEncoderTrainer(model, loss, options).Fit(rows);
        int skip = args.Contains("--no-warmup") ? 0 : 1; // the first step warms up
        cpuSecondsPerStep = cpu.Skip(skip).Average(); lossName = loss.Name; done = times.Count;
        return times.Skip(skip).Average();
    }

    sealed class SyncProgress(Action<TrainingProgress> a) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => a(value);
    }
}
