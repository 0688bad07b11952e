using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary><c>GET /metrics</c>: Prometheus text format that parses, and counters that move with the traffic.</summary>
[Collection("Console")]
public sealed partial class ServeMetricsTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cli-serve-metrics-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [GeneratedRegex("^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\")*\\})? (?<value>\\S+)$")]
    private static partial Regex Sample();

    /// <summary>Every sample as "name{labels}" → value; asserts each line parses and each family has HELP and TYPE.</summary>
    static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>();
        var typed = new HashSet<string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal)) continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.Equal(4, parts.Length);
                Assert.Contains(parts[3], new[] { "counter", "gauge", "histogram", "summary" });
                Assert.Contains($"# HELP {parts[2]} ", text);
                typed.Add(parts[2]);
                continue;
            }
            var m = Sample().Match(line);
            Assert.True(m.Success, $"not a sample line: '{line}'");
            string family = Regex.Replace(m.Groups["name"].Value, "_(bucket|sum|count)$", "");
            Assert.True(typed.Contains(m.Groups["name"].Value) || typed.Contains(family), $"no # TYPE before '{line}'");
            double value = m.Groups["value"].Value == "+Inf" ? double.PositiveInfinity : double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
            samples.Add(m.Groups["name"].Value + m.Groups["labels"].Value, value);
        }
        return samples;
    }

    static double Get(Dictionary<string, double> s, string key) => s.TryGetValue(key, out var v) ? v : 0;

    [Fact]
    public async Task MetricsParseAndCountersMove()
    {
        var vectors = Path.Combine(_dir, "words.vec");
        File.WriteAllText(vectors, "3 2\ncat 1 0\ndog 0 1\nsat 0.5 0.5\n");
        var model = SentenceEncoder.Load(vectors);
        await using var server = await TestServer.StartAsync(model);
        var before = Parse(await server.Http.GetStringAsync("/metrics"));

        string[] texts = { "cat dog", "sat", "dog" };
        var tasks = Enumerable.Range(0, 4).Select(_ => server.PostAsync(JsonSerializer.Serialize(new { input = texts }))).ToArray();
        foreach (var (status, _) in await Task.WhenAll(tasks)) Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.PostAsync("{\"input\": []}")).Status);

        var response = await server.Http.GetAsync("/metrics");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString());
        var after = Parse(await response.Content.ReadAsStringAsync());
        const string ok = "mlnet_embed_requests_total{path=\"/v1/embeddings\",code=\"200\"}";
        const string bad = "mlnet_embed_requests_total{path=\"/v1/embeddings\",code=\"400\"}";
        Assert.Equal(Get(before, ok) + 4, Get(after, ok));
        Assert.Equal(Get(before, bad) + 1, Get(after, bad));
        Assert.True(Get(after, "mlnet_embed_requests_total{path=\"/metrics\",code=\"200\"}") >= 1);
        Assert.Equal(Get(before, "mlnet_embed_texts_total") + 12, Get(after, "mlnet_embed_texts_total"));
        long tokens = texts.Sum(t => model.Tokenize(t).Length) * 4;
        Assert.Equal(Get(before, "mlnet_embed_tokens_total") + tokens, Get(after, "mlnet_embed_tokens_total"));
        // Forward passes: every text in some pass; between 1 pass (all coalesced) and 4 (none).
        double passes = Get(after, "mlnet_embed_batch_size_count");
        Assert.InRange(passes, 1, 4);
        Assert.Equal(12, Get(after, "mlnet_embed_batch_size_sum"));
        Assert.Equal(passes, Get(after, "mlnet_embed_batch_size_bucket{le=\"+Inf\"}"));
        Assert.Equal(0, Get(after, "mlnet_embed_batch_size_bucket{le=\"2\"}")); // each pass holds at least one request's 3 texts
        Assert.Equal(Get(before, "mlnet_embed_request_duration_seconds_count") + 5, Get(after, "mlnet_embed_request_duration_seconds_count"));
        Assert.True(Get(after, "mlnet_embed_request_duration_seconds_sum") > 0);
        // Buckets are cumulative.
        var buckets = after.Where(kv => kv.Key.StartsWith("mlnet_embed_request_duration_seconds_bucket", StringComparison.Ordinal)).Select(kv => kv.Value).ToList();
        Assert.True(buckets.Count > 2);
        for (int i = 1; i < buckets.Count; i++) Assert.True(buckets[i] >= buckets[i - 1]);
    }
}
