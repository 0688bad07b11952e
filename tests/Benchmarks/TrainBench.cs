using System.Diagnostics;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.Tokenization;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Benchmarks -- train [--steps N] [--batch B] [--mini-batch M] [--threads T] [--dropout P] [--layers L] [--no-warmup]</c>:
/// seconds per MNRL training step (tokenize → BERT ForwardTrain → mean pooling → loss → backward → clip → AdamW) on a
/// MiniLM-L6-shaped random model (hidden 384, 6 layers, 12 heads, FFN 1536, vocab 30522) with queries of 16 tokens and
/// passages of 96 tokens, and the process's peak working set. <c>--mini-batch</c> uses cached MNRL (GradCache).
/// The PyTorch side is tools/bench/torch_train_step.py (run it separately: one process per measurement keeps peak memory apart).
/// </summary>
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
        var config = new BertConfig
        {
            VocabSize = 30522, HiddenSize = 384, NumHiddenLayers = layers, NumAttentionHeads = 12, IntermediateSize = 1536,
            MaxPositionEmbeddings = 512, TypeVocabSize = 2,
        };
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
        double perStep = times.Skip(skip).Average(), cpuPerStep = cpu.Skip(skip).Average();
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        Console.WriteLine($"{{\"bench\":\"train\",\"loss\":\"{loss.Name}\",\"batch\":{batch},\"mini_batch\":{mini},\"threads\":{threads},\"layers\":{layers}," +
                          $"\"seconds_per_step\":{perStep:F3},\"cpu_seconds_per_step\":{cpuPerStep:F3},\"examples_per_s\":{batch / perStep:F1},\"peak_working_set_mb\":{peak / 1048576.0:F0}}}");
        return 0;
    }

    sealed class SyncProgress(Action<TrainingProgress> a) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => a(value);
    }
}
