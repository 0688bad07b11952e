using System.Diagnostics;
using System.Globalization;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.OnnxRuntime;
using MLNet.Embeddings.OnnxRuntime.Export;
using MLNet.Embeddings.TorchSharp;
using MLNet.Embeddings.Benchmarks.Tokenization;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Benchmarks -- rerank [--seconds S] [--threads N] [--rounds R] [--documents D]</c>:
/// milliseconds to rerank D (50) financial-qa-10K contexts for one of its questions with a MiniLM-L6-shaped random
/// cross-encoder (bert-base-uncased tokenizer, one label, max length 256) on the managed engine, on ONNX Runtime
/// (our export with the head in the graph) and on TorchSharp (libtorch CPU). The three alternate R times in one
/// process; medians and the ratios to the managed engine are printed, with the load average.
/// </summary>
public static class RerankBench
{
    public static int Run(string[] args)
    {
        double seconds = SgemmBench.Arg(args, "--seconds", 3);
        int threads = (int)SgemmBench.Arg(args, "--threads", Environment.ProcessorCount);
        int rounds = (int)SgemmBench.Arg(args, "--rounds", 3);
        int documents = (int)SgemmBench.Arg(args, "--documents", 50);
        Kernels.Sgemm.MaxThreads = threads;
        global::TorchSharp.torch.set_num_threads(threads);
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-rerank-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            // A random MiniLM-shaped encoder with the real tokenizer, a new one-label head, saved and exported.
            string encoderFolder = Path.Combine(dir, "encoder"), folder = Path.Combine(dir, "reranker");
            Directory.CreateDirectory(encoderFolder);
            BertBackbone.Create(BenchModels.MiniLmShape(), 0).Save(encoderFolder);
            foreach (var f in Directory.GetFiles(BenchData.Shared("tokenizers/bert-base-uncased"))) File.Copy(f, Path.Combine(encoderFolder, Path.GetFileName(f)), true);
            var managed = CrossEncoder.FromEncoder(encoderFolder);
            managed.MaxLength = 256;
            managed.Save(folder);
            OnnxExporter.Export(folder, Path.Combine(folder, "onnx", "model.onnx"));
            using var onnx = OnnxCrossEncoder.Load(folder, new OnnxOptions { IntraOpThreads = threads });
            onnx.MaxLength = 256;
            using var torch = new TorchCrossEncoder(managed);

            var (questions, contexts) = MiniLmBench.FinancialQa();
            var docs = contexts.Take(documents).ToArray();
            string query = questions[0];
            var backends = new (string Name, ICrossEncoder Model)[] { ("managed", managed), ("onnx", onnx), ("torchsharp", torch) };
            var times = backends.ToDictionary(b => b.Name, _ => new List<double>());
            for (int round = 0; round < rounds; round++)
                foreach (var (name, model) in backends) times[name].Add(Milliseconds(model, query, docs, seconds));
            double m = TrainBench.Median(times["managed"]), o = TrainBench.Median(times["onnx"]), t = TrainBench.Median(times["torchsharp"]);
            string F(double x) => x.ToString("F1", CultureInfo.InvariantCulture);
            string R(double x) => x.ToString("F2", CultureInfo.InvariantCulture);
            Console.WriteLine($"{{\"bench\":\"rerank\",\"documents\":{docs.Length},\"max_length\":256,\"threads\":{threads},\"rounds\":{rounds},"
                + $"\"managed_ms\":{F(m)},\"onnx_ms\":{F(o)},\"torchsharp_ms\":{F(t)},\"managed_over_onnx\":{R(m / o)},\"managed_over_torchsharp\":{R(m / t)},"
                + $"\"load\":\"{MiniLmBench.Load()}\"}}");
            return 0;
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    /// <summary>Median milliseconds of one Rank call over <paramref name="seconds"/> (after one warm-up call).</summary>
    static double Milliseconds(ICrossEncoder model, string query, string[] documents, double seconds)
    {
        model.Rank(query, documents);
        var each = new List<double>();
        var total = Stopwatch.StartNew();
        do
        {
            var sw = Stopwatch.StartNew();
            model.Rank(query, documents);
            each.Add(sw.Elapsed.TotalMilliseconds);
        } while (total.Elapsed.TotalSeconds < seconds);
        return TrainBench.Median(each);
    }
}
