using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MLNet.Embeddings.Cli.Serving;

/// <summary>
/// An HTTP embeddings service with an OpenAI-compatible <c>POST /v1/embeddings</c>
/// (<c>{"input": "text" | ["a", "b"], "dimensions"?: N, "prompt"?: "query: ", "prompt_name"?: "query"}</c>),
/// <c>GET /v1/models</c> and <c>GET /health</c>. Concurrent requests share forward passes (<see cref="EmbeddingBatcher"/>).
/// </summary>
internal static class EmbeddingServer
{
    public const int MaxInputs = 2048;

    public static WebApplication Build(SentenceEncoder model, string url, bool quiet)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        if (quiet) builder.Logging.ClearProviders();
        var app = builder.Build();
        var batcher = new EmbeddingBatcher(model);
        app.Lifetime.ApplicationStopped.Register(() => batcher.DisposeAsync().AsTask().GetAwaiter().GetResult());

        app.MapGet("/health", () => Results.Text("ok"));
        app.MapGet("/v1/models", () => Results.Text(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject { ["id"] = model.Config.ModelId, ["object"] = "model", ["dimensions"] = model.Dimensions }),
        }.ToJsonString(), "application/json"));
        app.MapPost("/v1/embeddings", async (HttpContext context) =>
        {
            JsonNode? body;
            try { body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted); }
            catch (JsonException ex) { return Error(400, $"request body is not valid JSON: {ex.Message}"); }
            if (body is not JsonObject request) return Error(400, "request body must be a JSON object with an \"input\" field");
            string[] texts;
            switch (request["input"])
            {
                case JsonValue v when v.TryGetValue(out string? one): texts = new[] { one }; break;
                case JsonArray a when a.All(e => e is JsonValue ev && ev.TryGetValue(out string? _)):
                    texts = a.Select(e => e!.GetValue<string>()).ToArray(); break;
                default: return Error(400, "\"input\" must be a string or an array of strings");
            }
            if (texts.Length == 0 || texts.Length > MaxInputs) return Error(400, $"\"input\" must hold 1 to {MaxInputs} texts, found {texts.Length}");
            int? dims = request["dimensions"]?.GetValue<int>();
            if (dims is < 1 || dims > model.Dimensions) return Error(400, $"\"dimensions\" must be between 1 and {model.Dimensions}");
            string? prompt = request["prompt"]?.GetValue<string>();
            string? promptName = request["prompt_name"]?.GetValue<string>();
            if (prompt is null && promptName is not null)
            {
                if (!model.Config.Prompts.TryGetValue(promptName, out prompt))
                    return Error(400, $"unknown prompt_name '{promptName}'; the model has: {string.Join(", ", model.Config.Prompts.Keys)}");
            }
            prompt ??= model.ResolvePrompt(null);
            var vectors = await batcher.EncodeAsync(texts, new EmbeddingBatcher.EncodeKey(prompt, dims, null), context.RequestAborted);
            int tokens = texts.Sum(t => model.Tokenize(t, prompt).Length);
            var data = new JsonArray();
            for (int i = 0; i < vectors.Length; i++)
                data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = new JsonArray(vectors[i].Select(x => (JsonNode)x).ToArray()) });
            return Results.Text(new JsonObject
            {
                ["object"] = "list", ["data"] = data, ["model"] = model.Config.ModelId,
                ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
            }.ToJsonString(), "application/json");
        });
        return app;
    }

    static IResult Error(int status, string message) =>
        Results.Text(new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error" } }.ToJsonString(),
            "application/json", statusCode: status);
}
