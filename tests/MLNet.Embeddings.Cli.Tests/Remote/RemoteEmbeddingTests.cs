using System.Diagnostics;
using System.Text.Json;
using MLNet.Embeddings.Cli.Serving;
using MLNet.Embeddings.Remote;
using Microsoft.AspNetCore.Http;

namespace MLNet.Embeddings.Cli.Tests.Remote;

/// <summary>openai:MODEL against our own serve (through the official OpenAI client) and against scripted loopback stubs.</summary>
[Collection("Console")] // the web hosts and the in-process CLI share the console
public sealed class RemoteEmbeddingTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cli-remote-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    static string Bert()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "MLNet.Embeddings.sln"))) root = Path.GetDirectoryName(root)!;
        return Path.Combine(root, "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
    }

    static readonly string[] Texts =
    {
        "the quick brown fox", "hello world", "the city was new", "she said that it was the first time",
        "people know the university", "school", "two years later", "the state of the world",
    };

    [Fact]
    public async Task ServeThroughTheOpenAIClientGivesTheLocalModelsVectors()
    {
        var model = SentenceEncoder.Load(Bert());
        await using var server = await TestServer.StartAsync(model);
        using var remote = RemoteEmbeddingGenerator.Create(new RemoteEmbeddingOptions
        {
            Model = "tiny", Endpoint = new Uri(server.Http.BaseAddress + "v1"), MaxBatchSize = 3, MaxConcurrency = 2,
        });
        var got = await remote.GenerateAsync(Texts);
        var expected = model.Encode(Texts);
        Assert.Equal(Texts.Length, got.Count);
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(expected[i].Length, got[i].Vector.Length);
            for (int j = 0; j < expected[i].Length; j++) Assert.True(Math.Abs(expected[i][j] - got[i].Vector.Span[j]) <= 1e-6, $"text {i} dim {j}");
        }
        long tokens = Texts.Sum(t => (long)model.Tokenize(t).Length);
        Assert.Equal(tokens, remote.Usage.InputTokens);
        Assert.Equal(tokens, got.Usage!.InputTokenCount);
        Assert.Equal(3, remote.Usage.Requests); // 8 texts, at most 3 per request
        Assert.Equal(0, remote.Usage.Retries);
    }

    [Fact]
    public async Task EvalWithARemoteBaselineMatchesTheLocalModel()
    {
        string model = Bert();
        await using var server = await TestServer.StartAsync(SentenceEncoder.Load(model));
        string data = Path.Combine(_dir, "sts.jsonl");
        File.WriteAllLines(data, new[]
        {
            """{"sentence1": "the quick brown fox", "sentence2": "the fox", "score": 0.9}""",
            """{"sentence1": "hello world", "sentence2": "the world", "score": 0.5}""",
            """{"sentence1": "the city was new", "sentence2": "school", "score": 0.1}""",
            """{"sentence1": "two years later", "sentence2": "three years later", "score": 0.8}""",
        });
        var (code, stdout, stderr) = ConsoleRun.Cli("eval", "--model", model, "--data", data, "--baseline", "openai:tiny",
            "--endpoint", server.Http.BaseAddress + "v1");
        Assert.True(code == 0, stderr);
        var json = JsonDocument.Parse(stdout).RootElement;
        var baseline = json.GetProperty("baseline");
        var local = json.GetProperty("model");
        int compared = 0;
        foreach (var metric in local.EnumerateObject())
        {
            if (metric.Value.ValueKind != JsonValueKind.Number) continue;
            Assert.Equal(metric.Value.GetDouble(), baseline.GetProperty(metric.Name).GetDouble(), 5);
            compared++;
        }
        Assert.True(compared > 0);
        Assert.Contains("remote baseline:", stderr);
        Assert.Contains("input tokens", stderr);
        Assert.Contains("no text was truncated", stderr);
    }

    [Fact]
    public async Task EmbedAndMineWithARemoteModel()
    {
        string model = Bert();
        var encoder = SentenceEncoder.Load(model);
        await using var server = await TestServer.StartAsync(encoder);
        string input = Path.Combine(_dir, "texts.txt"), output = Path.Combine(_dir, "out.jsonl");
        File.WriteAllLines(input, Texts);
        var (code, _, stderr) = ConsoleRun.Cli("embed", "--model", "openai:tiny", "--endpoint", server.Http.BaseAddress + "v1", "--input", input, "--output", output,
            "--remote-max-inputs", "5");
        Assert.True(code == 0, stderr);
        var rows = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        var expected = encoder.Encode(Texts);
        for (int i = 0; i < Texts.Length; i++)
        {
            var v = rows[i].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            for (int j = 0; j < v.Length; j++) Assert.True(Math.Abs(expected[i][j] - v[j]) <= 1e-6);
        }
        Assert.Contains("embed: remote tiny: 8 texts", stderr);
        Assert.Contains("2 requests, 0 retries", stderr);

        string train = Path.Combine(_dir, "pairs.jsonl"), mined = Path.Combine(_dir, "mined.jsonl");
        File.WriteAllLines(train, Texts.Select((t, i) => JsonSerializer.Serialize(new { query = t, pos = new[] { Texts[(i + 1) % Texts.Length] } })));
        (code, _, stderr) = ConsoleRun.Cli("data", "mine", "--input", train, "--output", mined, "--method", "dense", "--teacher-scores", "--negatives", "2",
            "--model", "openai:tiny", "--endpoint", server.Http.BaseAddress + "v1");
        Assert.True(code == 0, stderr);
        var first = JsonDocument.Parse(File.ReadLines(mined).First()).RootElement;
        Assert.Equal(2, first.GetProperty("neg").GetArrayLength());
        var posScore = first.GetProperty("pos_scores")[0].GetSingle();
        var q = encoder.Encode(Texts[0]); var p = encoder.Encode(Texts[1]);
        Assert.Equal(encoder.Similarity(q, p), posScore, 4);
        Assert.Contains("mine: remote tiny:", stderr);
    }

    [Fact]
    public async Task TooManyRequestsIsRetriedAfterTheServersRetryAfter()
    {
        await using var stub = await StubServer.StartAsync(async (n, context) =>
        {
            if (n == 0) { context.Response.StatusCode = 429; context.Response.Headers.RetryAfter = "1"; await context.Response.WriteAsync("slow down"); }
            else await StubServer.Ok(context);
        });
        using var remote = RemoteEmbeddingGenerator.Create(new RemoteEmbeddingOptions
        {
            Model = "stub", Endpoint = stub.Endpoint, InitialRetryDelay = TimeSpan.FromMilliseconds(10),
        });
        var clock = Stopwatch.StartNew();
        var got = await remote.GenerateAsync(new[] { "a", "b" });
        Assert.Equal(new float[] { 1, 1 }, got[1].Vector.ToArray());
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.95), $"retried after {clock.Elapsed.TotalSeconds:0.000} s; Retry-After said 1 s");
        Assert.Equal(2, stub.Requests);
        Assert.Equal(1, remote.Usage.Retries);
        Assert.Equal(2, remote.Usage.Requests);
        Assert.True(remote.Usage.Waited >= TimeSpan.FromSeconds(1));
        Assert.Equal(14, remote.Usage.InputTokens);
    }

    [Fact]
    public async Task ServerErrorsUntilTheRetriesAreSpentGiveOneClearError()
    {
        await using var stub = await StubServer.StartAsync(async (n, context) => { context.Response.StatusCode = 500; await context.Response.WriteAsync("boom\nsecond line"); });
        using var remote = RemoteEmbeddingGenerator.Create(new RemoteEmbeddingOptions
        {
            Model = "stub", Endpoint = stub.Endpoint, MaxRetries = 2, InitialRetryDelay = TimeSpan.FromMilliseconds(10),
        });
        var ex = await Assert.ThrowsAsync<RemoteEmbeddingException>(() => remote.GenerateAsync(new[] { "a" }));
        Assert.Equal(3, stub.Requests);
        Assert.Equal(500, ex.Status);
        Assert.Contains("failed after 3 attempts", ex.Message);
        Assert.Contains("500", ex.Message);
        Assert.Contains("boom second line", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public async Task AReplySlowerThanTheTimeoutFails()
    {
        await using var stub = await StubServer.StartAsync(async (n, context) => { await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted); await StubServer.Ok(context); });
        using var remote = RemoteEmbeddingGenerator.Create(new RemoteEmbeddingOptions
        {
            Model = "stub", Endpoint = stub.Endpoint, MaxRetries = 1, Timeout = TimeSpan.FromMilliseconds(300), InitialRetryDelay = TimeSpan.FromMilliseconds(10),
        });
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RemoteEmbeddingException>(() => remote.GenerateAsync(new[] { "a" }));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Contains("timeout of 0.3 s", ex.Message);
        Assert.Contains("2 attempts", ex.Message);
        Assert.Equal(2, stub.Requests);
    }

    [Fact]
    public async Task AWrongKeyIsOneErrorLineNamingTheKeyOption()
    {
        var model = SentenceEncoder.Load(Bert());
        await using var server = await TestServer.StartAsync(model, new ServeOptions { ApiKey = "right-key" });
        string variable = "MLNET_EMBED_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "wrong-key");
        try
        {
            string input = Path.Combine(_dir, "texts.txt");
            File.WriteAllLines(input, Texts);
            var (code, stdout, stderr) = ConsoleRun.Cli("embed", "--model", "openai:tiny", "--endpoint", server.Http.BaseAddress + "v1",
                "--api-key-env", variable, "--input", input);
            Assert.Equal(1, code);
            Assert.Equal("", stdout);
            var errors = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:")).ToArray();
            var error = Assert.Single(errors);
            Assert.Contains("401", error);
            Assert.Contains("--api-key-env", error);
            Assert.Contains(variable, error);

            Environment.SetEnvironmentVariable(variable, "right-key");
            (code, stdout, stderr) = ConsoleRun.Cli("embed", "--model", "openai:tiny", "--endpoint", server.Http.BaseAddress + "v1",
                "--api-key-env", variable, "--input", input);
            Assert.True(code == 0, stderr);
            Assert.Equal(Texts.Length, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        finally { Environment.SetEnvironmentVariable(variable, null); }
    }

    [Fact]
    public void TrainingARemoteModelIsRefusedNamingModel()
    {
        string train = Path.Combine(_dir, "train.jsonl");
        File.WriteAllText(train, """{"anchor": "a", "positive": "b"}""" + "\n");
        var (code, _, stderr) = ConsoleRun.Cli("train", "--model", "openai:text-embedding-3-small", "--train", train, "--output", Path.Combine(_dir, "out"));
        Assert.Equal(1, code);
        Assert.Contains("error: --model:", stderr);
        Assert.Contains("not be trained", stderr);
    }

    [Fact]
    public void OpenAIsEndpointWithoutAKeyNamesTheVariable()
    {
        string input = Path.Combine(_dir, "texts.txt");
        File.WriteAllLines(input, Texts);
        string variable = "MLNET_EMBED_UNSET_" + Guid.NewGuid().ToString("N");
        var (code, _, stderr) = ConsoleRun.Cli("embed", "--model", "openai:text-embedding-3-small", "--api-key-env", variable, "--input", input);
        Assert.Equal(1, code);
        Assert.Contains("--api-key-env", stderr);
        Assert.Contains(variable, stderr);
    }
}
