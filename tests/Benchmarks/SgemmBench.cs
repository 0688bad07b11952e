using System.Diagnostics;
using System.Runtime.InteropServices;
using MLNet.Embeddings.Kernels;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Benchmarks -- sgemm [--seconds S] [--threads N]</c>: our SGEMM against
/// OpenBLAS <c>cblas_sgemm</c> (P/Invoke into libopenblas, same thread count) on the shapes the encoder uses.
/// Prints one JSON line per shape with GFLOP/s of both and the ratio.
/// </summary>
public static unsafe class SgemmBench
{
    const string OpenBlasPath = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0";

    public static int Run(string[] args)
    {
        double seconds = Arg(args, "--seconds", 1.0);
        int threads = (int)Arg(args, "--threads", Environment.ProcessorCount);
        Sgemm.MaxThreads = threads;
        delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> gemm = null;
        string blas = Environment.GetEnvironmentVariable("OPENBLAS_LIB") ?? OpenBlasPath;
        if (NativeLibrary.TryLoad(blas, out var lib))
        {
            gemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(lib, "cblas_sgemm");
            if (NativeLibrary.TryGetExport(lib, "openblas_set_num_threads", out var set))
                ((delegate* unmanaged<int, void>)set)(threads);
        }
        else Console.Error.WriteLine($"OpenBLAS not found at {blas}; printing ours only.");
        Console.Error.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.ProcessArchitecture}, SIMD kernel: {Sgemm.IsAccelerated}, AVX-512 kernel: {Sgemm.IsAvx512}, threads: {threads}");

        var shapes = new (string Name, int M, int N, int K, bool TransB)[]
        {
            ("384x384x384 (A·Bᵀ)", 384, 384, 384, true),
            ("4096x1536x384 (A·Bᵀ, FFN up)", 4096, 1536, 384, true),
            ("4096x384x1536 (A·Bᵀ, FFN down)", 4096, 384, 1536, true),
            ("1024³ (A·B)", 1024, 1024, 1024, false),
            ("1024³ (A·Bᵀ)", 1024, 1024, 1024, true),
        };
        foreach (var (name, m, n, k, tb) in shapes)
        {
            var a = Fill(m * k, 1); var b = Fill(k * n, 2); var c = new float[m * n];
            int ldb = tb ? k : n;
            var (ours, oursCpu) = Measure(() => Sgemm.Gemm(false, tb, m, n, k, 1f, a, k, b, ldb, 0f, c, n), m, n, k, seconds);
            double theirs = double.NaN, theirsCpu = double.NaN;
            if (gemm != null)
            {
                var gemmLocal = gemm;
                (theirs, theirsCpu) = Measure(() =>
                {
                    fixed (float* pa = a, pb = b, pc = c)
                        gemmLocal(101, 111, tb ? 112 : 111, m, n, k, 1f, pa, k, pb, ldb, 0f, pc, n);
                }, m, n, k, seconds);
            }
            Console.WriteLine($"{{\"bench\":\"sgemm\",\"shape\":\"{name}\",\"threads\":{threads},\"ours_gflops\":{ours:F1},\"openblas_gflops\":{theirs:F1},\"ratio\":{ours / theirs:F2},\"ours_gflops_per_cpu_s\":{oursCpu:F1},\"openblas_gflops_per_cpu_s\":{theirsCpu:F1},\"cpu_ratio\":{oursCpu / theirsCpu:F2}}}");
        }
        return 0;
    }

    /// <summary>Best wall-clock GFLOP/s over 50 ms windows, and GFLOP per CPU-second over the whole run.</summary>
    static (double Wall, double Cpu) Measure(Action run, int m, int n, int k, double seconds)
    {
        run(); run();
        double best = 0;
        long count = 0;
        double cpu0 = CpuClock.Seconds();
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            var sw = Stopwatch.StartNew();
            int reps = 0;
            do { run(); reps++; } while (sw.Elapsed.TotalSeconds < 0.05);
            best = Math.Max(best, 2.0 * m * n * k * reps / sw.Elapsed.TotalSeconds / 1e9);
            count += reps;
        }
        return (best, 2.0 * m * n * k * count / (CpuClock.Seconds() - cpu0) / 1e9);
    }

    static float[] Fill(int n, int seed)
    {
        var r = new Random(seed); var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() - 0.5);
        return a;
    }

    internal static double Arg(string[] args, string name, double fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
