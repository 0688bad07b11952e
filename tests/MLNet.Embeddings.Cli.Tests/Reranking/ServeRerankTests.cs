using System.Globalization;
using System.Net;
using System.Text.Json;
using MLNet.Embeddings.Cli.Serving;

namespace MLNet.Embeddings.Cli.Tests.Reranking;

/// <summary>
/// <c>POST /v1/rerank</c> and <c>/rerank</c> on loopback with a tiny random BERT cross-encoder: scores equal
/// <c>CrossEncoder.Predict</c> on the same pairs, best first, <c>top_n</c>, <c>return_documents</c>, TEI's body, the API
/// key, limits, and concurrent clients sharing cross-encoder calls.
/// </summary>
[Collection("Console")]
public sealed class ServeRerankTests : IDisposable
{
    readonly TinyReranker _reranker = new();

    public void Dispose() => _reranker.Dispose();

    static string Json(object value) => JsonSerializer.Serialize(value);

    /// <summary>Asserts a Cohere/Jina answer: best first, every index once (or the top N), scores equal Predict's.</summary>
    void AssertRanked(JsonElement body, string query, string[] documents, int? topN = null, bool withDocuments = false)
    {
        var expected = _reranker.Model.Predict(documents.Select(d => (query, d)).ToArray());
        var results = body.GetProperty("results");
        int n = Math.Min(topN ?? documents.Length, documents.Length);
        Assert.Equal(n, results.GetArrayLength());
        var best = Enumerable.Range(0, documents.Length).OrderByDescending(i => expected[i]).ThenBy(i => i).Take(n).ToArray();
        double previous = double.PositiveInfinity;
        for (int k = 0; k < n; k++)
        {
            var r = results[k];
            int index = r.GetProperty("index").GetInt32();
            double score = r.GetProperty("relevance_score").GetDouble();
            Assert.Equal(best[k], index);
            Assert.True(Math.Abs(score - expected[index]) <= 1e-6, $"document {index}: served {score}, Predict {expected[index]}");
            Assert.True(score <= previous, "results are not sorted by score, best first");
            previous = score;
            if (withDocuments) Assert.Equal(documents[index], r.GetProperty("document").GetProperty("text").GetString());
            else Assert.False(r.TryGetProperty("document", out _));
        }
        long tokens = documents.Sum(d => (long)_reranker.Model.Tokenize(query, d).Length);
        Assert.Equal(tokens, body.GetProperty("usage").GetProperty("total_tokens").GetInt64());
    }

    [Fact]
    public async Task ScoresArePredictsBestFirstWithTopNAndDocuments()
    {
        await using var server = await TestServer.StartAsync(null, _reranker.Model); // rerank only: no embedding model
        var random = new Random(3);
        string query = _reranker.Text(random, 4);
        var documents = Enumerable.Range(0, 12).Select(i => _reranker.Text(random, 3 + i * 5)).ToArray(); // the longest ones are truncated

        var (status, body) = await server.PostToAsync("/v1/rerank", Json(new { model = "anything", query, documents }));
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("tiny-reranker", body.GetProperty("model").GetString());
        AssertRanked(body, query, documents);

        (status, body) = await server.PostToAsync("/rerank", Json(new { query, documents, top_n = 3, return_documents = true }));
        Assert.Equal(HttpStatusCode.OK, status);
        AssertRanked(body, query, documents, topN: 3, withDocuments: true);

        (status, body) = await server.PostToAsync("/v1/rerank", Json(new { query, documents, top_n = 50 })); // more than the documents: all of them
        Assert.Equal(HttpStatusCode.OK, status);
        AssertRanked(body, query, documents, topN: 50);

        // Documents as {"text": ...} objects (Cohere, Jina) score the same.
        (status, body) = await server.PostToAsync("/v1/rerank", Json(new { query, documents = documents.Select(d => new { text = d }), return_documents = true }));
        Assert.Equal(HttpStatusCode.OK, status);
        AssertRanked(body, query, documents, withDocuments: true);

        // No embedding model: /v1/embeddings says so.
        (status, body) = await server.PostToAsync("/v1/embeddings", "{\"input\": \"x\"}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("--model", body.GetProperty("error").GetProperty("message").GetString());
        using var models = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/models"));
        Assert.Equal("tiny-reranker", models.RootElement.GetProperty("data")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task TeisBodyGetsTeisAnswerAndRawScoresAreLogits()
    {
        await using var server = await TestServer.StartAsync(null, _reranker.Model);
        var random = new Random(5);
        string query = _reranker.Text(random, 3);
        var texts = Enumerable.Range(0, 6).Select(i => _reranker.Text(random, 2 + i)).ToArray();
        var pairs = texts.Select(d => (query, d)).ToArray();
        foreach (bool raw in new[] { false, true })
        {
            var expected = raw ? _reranker.Model.PredictLogits(pairs).Select(l => l[0]).ToArray() : _reranker.Model.Predict(pairs);
            var (status, body) = await server.PostToAsync("/rerank", Json(new { query, texts, raw_scores = raw, return_text = true }));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(JsonValueKind.Array, body.ValueKind);
            Assert.Equal(texts.Length, body.GetArrayLength());
            var order = Enumerable.Range(0, texts.Length).OrderByDescending(i => expected[i]).ThenBy(i => i).ToArray();
            for (int k = 0; k < texts.Length; k++)
            {
                int index = body[k].GetProperty("index").GetInt32();
                Assert.Equal(order[k], index);
                Assert.True(Math.Abs(body[k].GetProperty("score").GetDouble() - expected[index]) <= 1e-6);
                Assert.Equal(texts[index], body[k].GetProperty("text").GetString());
            }
        }
    }

    [Fact]
    public async Task ApiKeyIsRequiredOnBothPaths()
    {
        await using var server = await TestServer.StartAsync(null, _reranker.Model, new ServeOptions { ApiKey = "k3y" });
        string json = Json(new { query = "the", documents = new[] { "was he", "the of" } });
        foreach (var path in new[] { "/v1/rerank", "/rerank" })
        {
            var (status, body) = await server.PostToAsync(path, json);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Equal("invalid_api_key", body.GetProperty("error").GetProperty("code").GetString());
            Assert.Equal(HttpStatusCode.Unauthorized, (await server.PostToAsync(path, json, apiKey: "k3")).Status);
            (status, body) = await server.PostToAsync(path, json, apiKey: "k3y");
            Assert.Equal(HttpStatusCode.OK, status);
            AssertRanked(body, "the", ["was he", "the of"]);
        }
        Assert.Equal("ok", await server.Http.GetStringAsync("/health"));
    }

    [Fact]
    public async Task TooManyDocumentsTokensOrBytesGet413NamingTheLimit()
    {
        var options = new ServeOptions { MaxDocuments = 3, MaxTokensPerRequest = 30, MaxRequestBytes = 2000 };
        await using var server = await TestServer.StartAsync(null, _reranker.Model, options);
        var (status, body) = await server.PostToAsync("/v1/rerank", Json(new { query = "the", documents = new[] { "a", "b", "c", "d" } }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        string message = body.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains("--max-documents", message); Assert.Contains("found 4", message);

        string[] documents = ["was he is as for on with", "that it his by at from her", "she you had an were but"];
        long tokens = documents.Sum(d => (long)_reranker.Model.Tokenize("the of and", d).Length);
        Assert.True(tokens > 30, $"{tokens} tokens");
        (status, body) = await server.PostToAsync("/v1/rerank", Json(new { query = "the of and", documents }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        message = body.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains("--max-tokens-per-request", message); Assert.Contains($"found {tokens}", message);

        (status, _) = await server.PostToAsync("/v1/rerank", Json(new { query = "the", documents = new[] { new string('x', 3000) } }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        (status, body) = await server.PostToAsync("/v1/rerank", Json(new { query = "the", documents = new[] { "was", "he" } }));
        Assert.Equal(HttpStatusCode.OK, status);
        AssertRanked(body, "the", ["was", "he"]);
    }

    public static TheoryData<string, string> Hostile() => new()
    {
        { "{}", "\"query\"" },
        { "[\"the\"]", "\"query\"" },
        { "not json", "not valid JSON" },
        { "{\"documents\": [\"a\"]}", "\"query\"" },
        { "{\"query\": 5, \"documents\": [\"a\"]}", "\"query\"" },
        { "{\"query\": [\"q\"], \"documents\": [\"a\"]}", "\"query\"" },
        { "{\"query\": \"q\", \"query\": \"r\", \"documents\": [\"a\"]}", "\"query\"" },
        { "{\"query\": \"q\"}", "\"documents\"" },
        { "{\"query\": \"q\", \"documents\": null}", "\"documents\"" },
        { "{\"query\": \"q\", \"documents\": \"a\"}", "\"documents\"" },
        { "{\"query\": \"q\", \"documents\": {\"a\": 1}}", "\"documents\"" },
        { "{\"query\": \"q\", \"documents\": []}", "\"documents\"" },
        { "{\"query\": \"q\", \"documents\": [1]}", "\"documents\"[0]" },
        { "{\"query\": \"q\", \"documents\": [\"a\", null]}", "\"documents\"[1]" },
        { "{\"query\": \"q\", \"documents\": [\"a\", [\"b\"]]}", "\"documents\"[1]" },
        { "{\"query\": \"q\", \"documents\": [\"a\", {\"txt\": \"b\"}]}", "\"documents\"[1]" },
        { "{\"query\": \"q\", \"documents\": [{\"text\": 3}]}", "\"documents\"[0].text" },
        { "{\"query\": \"q\", \"documents\": [\"a\"], \"top_n\": 0}", "\"top_n\"" },
        { "{\"query\": \"q\", \"documents\": [\"a\"], \"top_n\": -2}", "\"top_n\"" },
        { "{\"query\": \"q\", \"documents\": [\"a\"], \"top_n\": \"2\"}", "\"top_n\"" },
        { "{\"query\": \"q\", \"documents\": [\"a\"], \"top_n\": 1.5}", "\"top_n\"" },
        { "{\"query\": \"q\", \"documents\": [\"a\"], \"top_n\": 1e400}", "\"top_n\"" },
        { "{\"query\": \"q\", \"documents\": [\"a\"], \"return_documents\": \"yes\"}", "\"return_documents\"" },
        { "{\"query\": \"q\", \"documents\": [\"a\"], \"return_documents\": 1}", "\"return_documents\"" },
        { "{\"query\": \"q\", \"texts\": [2]}", "\"texts\"[0]" },
        { "{\"query\": \"q\", \"texts\": [\"a\"], \"raw_scores\": \"no\"}", "\"raw_scores\"" },
        { "{\"query\": \"\\ud800\", \"documents\": [\"a\"]}", "\"query\"" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task MalformedBodiesGet400NamingTheField(string json, string named)
    {
        await using var server = await TestServer.StartAsync(null, _reranker.Model);
        foreach (var path in new[] { "/v1/rerank", "/rerank" })
        {
            var (status, body) = await server.PostToAsync(path, json);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(named, body.GetProperty("error").GetProperty("message").GetString());
        }
        var (ok, answer) = await server.PostToAsync("/v1/rerank", Json(new { query = "the", documents = new[] { "was he", "of" } }));
        Assert.Equal(HttpStatusCode.OK, ok); // the server is still up and right
        AssertRanked(answer, "the", ["was he", "of"]);
    }

    [Fact]
    public async Task ConcurrentClientsShareCrossEncoderCallsAndGetPredictsScores()
    {
        const int Clients = 8, RequestsPerClient = 5;
        var options = new ServeOptions { MaxTokensPerRequest = 1_000_000 };
        await using var server = await TestServer.StartAsync(null, _reranker.Model, options);
        var random = new Random(9);

        // A long request first keeps the cross-encoder busy while the clients' first requests queue behind it.
        string blockerQuery = _reranker.Text(random, 10);
        var blockerDocs = Enumerable.Range(0, 1000).Select(_ => _reranker.Text(random, 60)).ToArray();
        var blocker = server.PostToAsync("/v1/rerank", Json(new { query = blockerQuery, documents = blockerDocs, top_n = 1 }));
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            while (Metric(await server.Http.GetStringAsync("/metrics"), "mlnet_embed_rerank_batch_size_count") < 1)
                await Task.Delay(5, wait.Token);

        var plans = Enumerable.Range(0, Clients).Select(_ => Enumerable.Range(0, RequestsPerClient).Select(_ =>
            (Query: _reranker.Text(random, random.Next(1, 6)),
             Documents: Enumerable.Range(0, random.Next(1, 9)).Select(_ => _reranker.Text(random, random.Next(1, 30))).ToArray())).ToArray()).ToArray();
        var answers = await Task.WhenAll(plans.Select(plan => Task.Run(async () =>
        {
            var got = new List<((string Query, string[] Documents) Request, HttpStatusCode Status, JsonElement Body)>();
            foreach (var request in plan)
            {
                var (status, body) = await server.PostToAsync("/v1/rerank", Json(new { query = request.Query, documents = request.Documents }));
                got.Add((request, status, body));
            }
            return got;
        })));
        var (blockerStatus, blockerBody) = await blocker;
        Assert.Equal(HttpStatusCode.OK, blockerStatus);
        AssertRanked(blockerBody, blockerQuery, blockerDocs, topN: 1);
        foreach (var (request, status, body) in answers.SelectMany(a => a))
        {
            Assert.Equal(HttpStatusCode.OK, status);
            AssertRanked(body, request.Query, request.Documents);
        }

        string metrics = await server.Http.GetStringAsync("/metrics");
        int requests = Clients * RequestsPerClient;
        Assert.Equal(requests + 1, Metric(metrics, "mlnet_embed_requests_total{path=\"/v1/rerank\",code=\"200\"}"));
        long documents = plans.SelectMany(p => p).Sum(r => (long)r.Documents.Length) + blockerDocs.Length;
        Assert.Equal(documents, Metric(metrics, "mlnet_embed_rerank_documents_total"));
        Assert.Equal(documents, Metric(metrics, "mlnet_embed_rerank_batch_size_sum"));
        double calls = Metric(metrics, "mlnet_embed_rerank_batch_size_count") - 1; // less the blocker's
        Assert.True(calls < requests, $"{calls} cross-encoder calls for {requests} requests: none were shared");
        Assert.True(calls >= 1);
        Assert.Equal(0, Metric(metrics, "mlnet_embed_batch_size_count")); // no embedding passes
    }

    /// <summary>The value of one sample line of the exposition text (0 when absent).</summary>
    static double Metric(string text, string sample)
    {
        foreach (var line in text.Split('\n'))
            if (line.StartsWith(sample + " ", StringComparison.Ordinal))
                return double.Parse(line[(sample.Length + 1)..], CultureInfo.InvariantCulture);
        return 0;
    }
}
