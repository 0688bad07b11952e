using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Quantization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MLNet.Embeddings.Cli.Serving;

/// <summary>
/// An HTTP embeddings service with an OpenAI-compatible <c>POST /v1/embeddings</c>
/// (<c>{"input": "text" | ["a", "b"], "dimensions"?: N, "prompt"?: "query: ", "prompt_name"?: "query",
/// "encoding_format"?: "float" | "base64", "precision"?: "float32" | "int8" | "uint8" | "binary" | "ubinary"}</c>),
/// with a reranker <c>POST /v1/rerank</c> and <c>/rerank</c> (<see cref="RerankEndpoint"/>),
/// <c>GET /v1/models</c>, <c>GET /health</c> and <c>GET /metrics</c> (Prometheus). Concurrent requests share forward
/// passes (<see cref="EmbeddingBatcher"/>). Request logs go to stderr only, so stdout stays machine-readable.
/// </summary>
internal static class EmbeddingServer
{
    /// <summary>Builds an embeddings service; <paramref name="quiet"/> drops all logs (tests).</summary>
    public static WebApplication Build(SentenceEncoder model, string url, bool quiet, ServeOptions? options = null)
        => Build(model, null, url, quiet, options);

    /// <summary>
    /// Builds the service with an embedding model, a reranker, or both (at least one); <paramref name="quiet"/> drops all
    /// logs (tests). The reranker is named by <paramref name="rerankerId"/> (default: its folder's name).
    /// </summary>
    public static WebApplication Build(SentenceEncoder? model, CrossEncoder? reranker, string url, bool quiet, ServeOptions? options = null, string? rerankerId = null)
    {
        if (model is null && reranker is null) throw new ArgumentException("an embedding model, a reranker or both are needed");
        options ??= new ServeOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        if (!quiet && options.LogLevel != LogLevel.None)
        {
            builder.Logging.AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Logging.SetMinimumLevel(options.LogLevel);
        }
        var app = builder.Build();
        var metrics = new ServiceMetrics();
        var batcher = model is null ? null : new EmbeddingBatcher(model, onPass: metrics.Pass);
        var rerank = reranker is null ? null : new RerankEndpoint(reranker, rerankerId ?? RerankerName(reranker), options, metrics);
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            batcher?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            rerank?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        });
        byte[]? keyHash = options.ApiKey is { } key ? SHA256.HashData(Encoding.UTF8.GetBytes("Bearer " + key)) : null;

        app.Use(async (context, next) =>
        {
            // Counted when the response starts, so a client that has its answer sees it in the next /metrics.
            var clock = Stopwatch.StartNew();
            string path = context.Request.Path.Value ?? "";
            context.Response.OnStarting(() =>
            {
                metrics.Request(path, context.Response.StatusCode, clock.Elapsed.TotalSeconds);
                return Task.CompletedTask;
            });
            if (keyHash is not null && (path.StartsWith("/v1/", StringComparison.Ordinal) || path == "/rerank") && !Authorized(context.Request, keyHash))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await Error(401, "missing or wrong API key: send 'Authorization: Bearer KEY'", "invalid_api_key").ExecuteAsync(context);
            }
            else await next(context);
        });

        app.MapGet("/health", () => Results.Text("ok"));
        app.MapGet("/metrics", () => Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        var models = new JsonArray();
        if (model is not null) models.Add(new JsonObject { ["id"] = model.Config.ModelId, ["object"] = "model", ["dimensions"] = model.Dimensions });
        if (rerank is not null) models.Add(new JsonObject { ["id"] = rerank.ModelId, ["object"] = "model", ["task"] = "rerank" });
        string modelList = new JsonObject { ["object"] = "list", ["data"] = models }.ToJsonString();
        app.MapGet("/v1/models", () => Results.Text(modelList, "application/json"));
        app.MapPost("/v1/embeddings", async (HttpContext context) =>
        {
            if (model is null || batcher is null) return Error(404, "this service has no embedding model: start serve with --model");
            return await Answer(context, () => Embed(context, model, options, batcher, metrics));
        });
        foreach (var path in new[] { "/v1/rerank", "/rerank" })
            app.MapPost(path, async (HttpContext context) =>
            {
                if (rerank is null) return Error(404, "this service has no reranker: start serve with --reranker");
                return await Answer(context, () => rerank.HandleAsync(context));
            });
        return app;
    }

    /// <summary>Runs an endpoint, turning a malformed request into its 4xx answer.</summary>
    static async Task<IResult> Answer(HttpContext context, Func<Task<IResult>> endpoint)
    {
        try { return await endpoint(); }
        catch (RequestException ex) { return Error(ex.Status, ex.Message); }
        catch (ConfigurationException ex) { return Error(400, ex.Message); }
        catch (BadHttpRequestException ex) { return Error(ex.StatusCode, $"request body: {ex.Message}"); }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested) { return Results.Empty; }
    }

    /// <summary>A reranker's name: its folder's.</summary>
    static string RerankerName(CrossEncoder reranker) =>
        reranker.SourcePath is { } p ? Path.GetFileName(Path.TrimEndingDirectorySeparator(p)) : "reranker";

    static async Task<IResult> Embed(HttpContext context, SentenceEncoder model, ServeOptions options, EmbeddingBatcher batcher, ServiceMetrics metrics)
    {
        var request = await RequestBody.ReadJsonAsync(context, options.MaxRequestBytes, "input");
        string[] texts = request.Strings("input") ?? throw new RequestException(400, "\"input\" is missing; it must be a string or an array of strings");
        if (texts.Length == 0) return Error(400, "\"input\" must hold at least one text, found 0");
        if (texts.Length > options.MaxInputs)
            return Error(413, $"too many inputs: the limit (--max-inputs) is {options.MaxInputs} texts per request, found {texts.Length}");
        int? dims = request.Int("dimensions");
        if (dims is < 1 || dims > model.Dimensions) return Error(400, $"\"dimensions\" must be between 1 and {model.Dimensions}, found {dims}");
        string? prompt = request.String("prompt");
        string? promptName = request.String("prompt_name");
        if (prompt is null && promptName is not null && !model.Config.Prompts.TryGetValue(promptName, out prompt))
            return Error(400, $"unknown prompt_name '{promptName}'; the model has: {string.Join(", ", model.Config.Prompts.Keys)}");
        prompt ??= model.ResolvePrompt(null);
        bool base64 = request.String("encoding_format") switch
        {
            null or "float" => false,
            "base64" => true,
            var other => throw new RequestException(400, $"\"encoding_format\" must be \"float\" or \"base64\", found '{other}'"),
        };
        var precision = request.String("precision") is { } p ? EmbeddingQuantizer.Parse(p, "\"precision\"") : EmbeddingPrecision.Float32;
        if (EmbeddingQuantizer.NeedsRanges(precision))
        {
            if (options.Ranges is null)
                return Error(400, $"\"precision\": \"{EmbeddingQuantizer.Name(precision)}\" needs calibration ranges; start serve with --calibration FILE (written by embed --calibration)");
            int d = dims ?? model.Dimensions;
            if (options.Ranges.Dimensions != d)
                return Error(400, $"the calibration ranges have {options.Ranges.Dimensions} dimensions, the requested vectors {d}");
        }
        long tokens = 0;
        foreach (var t in texts) tokens += model.Tokenize(t, prompt).Length;
        if (tokens > options.MaxTokensPerRequest)
            return Error(413, $"too many tokens: the limit (--max-tokens-per-request) is {options.MaxTokensPerRequest} tokens per request, found {tokens}");

        var vectors = await batcher.EncodeAsync(texts, new EmbeddingBatcher.EncodeKey(prompt, dims, null), context.RequestAborted);
        var data = new JsonArray();
        for (int i = 0; i < vectors.Length; i++)
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = EmbeddingFormat.Write(vectors[i], base64, precision, options.Ranges) });
        metrics.Embedded(texts.Length, tokens);
        return Results.Text(new JsonObject
        {
            ["object"] = "list", ["data"] = data, ["model"] = model.Config.ModelId,
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        }.ToJsonString(), "application/json");
    }

    /// <summary>Compares SHA-256 hashes of the header and of "Bearer KEY" in constant time (hashing hides the key's length too).</summary>
    static bool Authorized(HttpRequest request, byte[] keyHash)
    {
        string header = request.Headers.Authorization.ToString();
        if (header.StartsWith("bearer ", StringComparison.OrdinalIgnoreCase)) header = "Bearer " + header[7..]; // the scheme is case-insensitive
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header)), keyHash);
    }

    static IResult Error(int status, string message, string? code = null)
    {
        var error = new JsonObject { ["message"] = message, ["type"] = status == 401 ? "authentication_error" : "invalid_request_error" };
        if (code is not null) error["code"] = code;
        return Results.Text(new JsonObject { ["error"] = error }.ToJsonString(), "application/json", statusCode: status);
    }
}
