using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace MLNet.Embeddings.Cli.Serving;

/// <summary>
/// Counters and histograms of the service, rendered in the Prometheus text exposition format (version 0.0.4) for
/// <c>GET /metrics</c>: requests by path and status code, texts and tokens embedded, documents and tokens reranked,
/// forward-pass batch sizes and request latency. Updates are lock-free except the histograms, which take a small lock per observation.
/// </summary>
internal sealed class ServiceMetrics
{
    static readonly double[] BatchBuckets = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048 };
    static readonly double[] LatencyBuckets = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };

    readonly ConcurrentDictionary<(string Path, int Code), long> _requests = new();
    long _texts, _tokens, _documents, _rerankTokens;
    readonly Histogram _batch = new(BatchBuckets), _rerankBatch = new(BatchBuckets), _latency = new(LatencyBuckets);

    /// <summary>Counts one finished request and, for <c>/v1/*</c> and <c>/rerank</c>, its latency.</summary>
    public void Request(string path, int statusCode, double seconds)
    {
        string label = path is "/v1/embeddings" or "/v1/rerank" or "/rerank" or "/v1/models" or "/health" or "/metrics" ? path : "other";
        _requests.AddOrUpdate((label, statusCode), 1, (_, n) => n + 1);
        if (label.StartsWith("/v1/", StringComparison.Ordinal) || label == "/rerank") _latency.Observe(seconds);
    }

    /// <summary>Counts the texts and tokens of one answered embeddings request.</summary>
    public void Embedded(int texts, long tokens)
    {
        Interlocked.Add(ref _texts, texts);
        Interlocked.Add(ref _tokens, tokens);
    }

    /// <summary>Counts the documents and (query, document) pair tokens of one answered rerank request.</summary>
    public void Reranked(int documents, long tokens)
    {
        Interlocked.Add(ref _documents, documents);
        Interlocked.Add(ref _rerankTokens, tokens);
    }

    /// <summary>Records the number of pairs of one cross-encoder call (one <c>Predict</c> of the rerank batcher).</summary>
    public void RerankPass(int pairs) => _rerankBatch.Observe(pairs);

    /// <summary>Records the number of texts of one forward pass (one <c>Encode</c> call of <see cref="EmbeddingBatcher"/>).</summary>
    public void Pass(int texts) => _batch.Observe(texts);

    /// <summary>The exposition text.</summary>
    public string Render()
    {
        var s = new StringBuilder();
        s.Append("# HELP mlnet_embed_requests_total HTTP requests answered, by path and status code.\n# TYPE mlnet_embed_requests_total counter\n");
        foreach (var ((path, code), n) in _requests.OrderBy(k => k.Key.Path, StringComparer.Ordinal).ThenBy(k => k.Key.Code))
            s.Append(CultureInfo.InvariantCulture, $"mlnet_embed_requests_total{{path=\"{path}\",code=\"{code}\"}} {n}\n");
        s.Append("# HELP mlnet_embed_texts_total Texts embedded.\n# TYPE mlnet_embed_texts_total counter\n");
        s.Append(CultureInfo.InvariantCulture, $"mlnet_embed_texts_total {Interlocked.Read(ref _texts)}\n");
        s.Append("# HELP mlnet_embed_tokens_total Tokens embedded (after truncation, as reported in usage).\n# TYPE mlnet_embed_tokens_total counter\n");
        s.Append(CultureInfo.InvariantCulture, $"mlnet_embed_tokens_total {Interlocked.Read(ref _tokens)}\n");
        _batch.Render(s, "mlnet_embed_batch_size", "Texts per forward pass (requests coalesced by the batcher).");
        s.Append("# HELP mlnet_embed_rerank_documents_total Documents reranked.\n# TYPE mlnet_embed_rerank_documents_total counter\n");
        s.Append(CultureInfo.InvariantCulture, $"mlnet_embed_rerank_documents_total {Interlocked.Read(ref _documents)}\n");
        s.Append("# HELP mlnet_embed_rerank_tokens_total Tokens of the (query, document) pairs reranked (after truncation, as reported in usage).\n# TYPE mlnet_embed_rerank_tokens_total counter\n");
        s.Append(CultureInfo.InvariantCulture, $"mlnet_embed_rerank_tokens_total {Interlocked.Read(ref _rerankTokens)}\n");
        _rerankBatch.Render(s, "mlnet_embed_rerank_batch_size", "Pairs per cross-encoder call (rerank requests coalesced by the batcher).");
        _latency.Render(s, "mlnet_embed_request_duration_seconds", "Latency of /v1/* and /rerank requests until the response starts, in seconds.");
        return s.ToString();
    }

    sealed class Histogram(double[] bounds)
    {
        readonly long[] _counts = new long[bounds.Length + 1];
        double _sum;
        long _count;

        public void Observe(double value)
        {
            int i = 0;
            while (i < bounds.Length && value > bounds[i]) i++;
            lock (_counts) { _counts[i]++; _sum += value; _count++; }
        }

        public void Render(StringBuilder s, string name, string help)
        {
            s.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} histogram\n");
            lock (_counts)
            {
                long cumulative = 0;
                for (int i = 0; i < bounds.Length; i++)
                {
                    cumulative += _counts[i];
                    s.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"{bounds[i]}\"}} {cumulative}\n");
                }
                s.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"+Inf\"}} {_count}\n");
                s.Append(CultureInfo.InvariantCulture, $"{name}_sum {_sum}\n{name}_count {_count}\n");
            }
        }
    }
}
