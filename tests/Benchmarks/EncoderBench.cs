using System.Diagnostics;
using System.Text.Json;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Kernels;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Benchmarks -- encoder [--seconds S] [--threads N] [--no-torch]</c>:
/// sentences/s of the managed BERT on a MiniLM-L6-shaped random model (hidden 384, 6 layers, 12 heads, FFN 1536,
/// vocab 30522) at 32 and 128 tokens and on a mixed-length set (8–128 tokens), batches of 32 formed by length,
/// next to PyTorch CPU on the same shapes (tools/bench/torch_encoder_bench.py, padded batches as sentence-transformers).
/// </summary>
public static class EncoderBench
{
    public static int Run(string[] args)
    {
        double seconds = SgemmBench.Arg(args, "--seconds", 3);
        int threads = (int)SgemmBench.Arg(args, "--threads", Environment.ProcessorCount);
        Sgemm.MaxThreads = threads;
        var config = BenchModels.MiniLmShape();
        var model = BertBackbone.Create(config, 0);
        var r = new Random(1);
        var mixed = Enumerable.Range(0, 256).Select(_ => r.Next(8, 129)).OrderBy(x => x).ToArray();
        var workloads = new (string Name, int[] Lengths)[]
        {
            ("fixed32", Enumerable.Repeat(32, 256).ToArray()),
            ("fixed128", Enumerable.Repeat(128, 128).ToArray()),
            ("mixed", mixed),
        };
        var torch = new Dictionary<string, (double, double)>();
        if (!args.Contains("--no-torch")) torch = RunTorch(threads, seconds);
        foreach (var (name, lengths) in workloads)
        {
            var batches = BenchModels.RandomBatches(lengths, r, config.VocabSize);
            var warm = Stopwatch.StartNew(); // a second of warm-up: the JIT's optimised tier needs some calls
            do foreach (var b in batches) model.Forward(b); while (warm.Elapsed.TotalSeconds < 1);
            int n = 0; var sw = Stopwatch.StartNew(); double cpu0 = CpuClock.Seconds();
            do
            {
                foreach (var b in batches) { model.Forward(b); n += b.Count; }
            } while (sw.Elapsed.TotalSeconds < seconds);
            double ours = n / sw.Elapsed.TotalSeconds, oursCpu = n / (CpuClock.Seconds() - cpu0);
            var (theirs, theirsCpu) = torch.TryGetValue(name, out var t) ? t : (double.NaN, double.NaN);
            Console.WriteLine($"{{\"bench\":\"encoder\",\"workload\":\"{name}\",\"threads\":{threads},\"ours_sentences_per_s\":{ours:F1},\"torch_sentences_per_s\":{theirs:F1},\"ratio\":{ours / theirs:F2},"
                + $"\"ours_sentences_per_cpu_s\":{oursCpu:F1},\"torch_sentences_per_cpu_s\":{theirsCpu:F1},\"cpu_ratio\":{oursCpu / theirsCpu:F2}}}");
        }
        return 0;
    }

    static Dictionary<string, (double Wall, double Cpu)> RunTorch(int threads, double seconds)
    {
        var result = new Dictionary<string, (double, double)>();
        string? root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "MLNet.Embeddings.sln"))) root = Path.GetDirectoryName(root);
        string script = Path.Combine(root ?? ".", "tools", "bench", "torch_encoder_bench.py");
        string python = Environment.GetEnvironmentVariable("TORCH_PYTHON") ?? "/usr/bin/python3";
        if (!File.Exists(script)) { Console.Error.WriteLine($"torch bench script not found: {script}"); return result; }
        try
        {
            var psi = new ProcessStartInfo(python, $"\"{script}\" --threads {threads} --seconds {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}")
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            string? line;
            while ((line = p.StandardOutput.ReadLine()) is not null)
            {
                Console.Error.WriteLine("torch: " + line);
                using var doc = JsonDocument.Parse(line);
                var root2 = doc.RootElement;
                result[root2.GetProperty("name").GetString()!] = (root2.GetProperty("sentences_per_s").GetDouble(), root2.GetProperty("sentences_per_cpu_s").GetDouble());
            }
            p.WaitForExit();
        }
        catch (Exception e) { Console.Error.WriteLine($"torch bench failed: {e.Message}"); }
        return result;
    }
}
