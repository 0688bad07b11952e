using System.CommandLine;
using MLNet.Embeddings.Cli.Serving;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Quantization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed serve [--model DIR] [--reranker DIR] [--host H] [--port N] [--api-key KEY] [--max-inputs N] [--max-documents N]
/// [--max-tokens-per-request N] [--calibration FILE] [--log-level L]</c>: an OpenAI-compatible HTTP embeddings service
/// (docs/service.md) and, with a reranker, <c>POST /v1/rerank</c> (docs/rerankers.md); at least one of the two models.
/// </summary>
internal static class ServeCommand
{
    /// <summary>The environment variable read when <c>--api-key</c> is not given.</summary>
    public const string ApiKeyVariable = "MLNET_EMBED_API_KEY";

    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Model folder or word-vector file (or name) for /v1/embeddings; optional with --reranker." };
        var reranker = new Option<string?>("--reranker") { Description = "Cross-encoder folder (or name) for POST /v1/rerank and /rerank." };
        var host = new Option<string>("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to listen on (0: any free port, printed on stderr).", DefaultValueFactory = _ => 8080 };
        var apiKey = new Option<string?>("--api-key") { Description = $"Require 'Authorization: Bearer KEY' on /v1/* (default: ${ApiKeyVariable}; none: open)." };
        var maxInputs = new Option<int>("--max-inputs") { Description = "Most texts per request (more: 413).", DefaultValueFactory = _ => ServeOptions.DefaultMaxInputs };
        var maxDocuments = new Option<int>("--max-documents") { Description = "Most documents per rerank request (more: 413).", DefaultValueFactory = _ => ServeOptions.DefaultMaxDocuments };
        var maxTokens = new Option<int>("--max-tokens-per-request") { Description = "Most tokens per request, after truncation (more: 413).", DefaultValueFactory = _ => ServeOptions.DefaultMaxTokensPerRequest };
        var calibration = new Option<string?>("--calibration") { Description = "int8/uint8 ranges file (as embed --calibration writes) for requests with \"precision\": \"int8\" | \"uint8\"." };
        var logLevel = new Option<string>("--log-level") { Description = "Request logs on stderr: trace, debug, information, warning, error, critical or none.", DefaultValueFactory = _ => "warning" };
        var command = new Command("serve", "Serve embeddings over HTTP: POST /v1/embeddings (OpenAI-compatible), POST /v1/rerank (with --reranker), GET /v1/models, GET /health, GET /metrics.");
        foreach (var o in new Option[] { model, reranker, host, port, apiKey, maxInputs, maxDocuments, maxTokens, calibration, logLevel }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            int portNumber = parse.GetValue(port);
            if (portNumber is < 0 or > 65535) throw new ConfigurationException("--port", $"must be between 0 and 65535, found {portNumber}.");
            var options = new ServeOptions
            {
                ApiKey = parse.GetValue(apiKey) ?? (Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } k ? k : null),
                MaxInputs = parse.GetValue(maxInputs),
                MaxDocuments = parse.GetValue(maxDocuments),
                MaxTokensPerRequest = parse.GetValue(maxTokens),
                Ranges = parse.GetValue(calibration) is { } c ? QuantizationRanges.Load(c) : null,
                LogLevel = ParseLevel(parse.GetValue(logLevel)!),
            };
            if (options.ApiKey is "") throw new ConfigurationException("--api-key", "must not be empty.");
            if (options.MaxInputs < 1) throw new ConfigurationException("--max-inputs", $"must be at least 1, found {options.MaxInputs}.");
            if (options.MaxDocuments < 1) throw new ConfigurationException("--max-documents", $"must be at least 1, found {options.MaxDocuments}.");
            if (options.MaxTokensPerRequest < 1) throw new ConfigurationException("--max-tokens-per-request", $"must be at least 1, found {options.MaxTokensPerRequest}.");
            string? modelName = parse.GetValue(model), rerankerName = parse.GetValue(reranker);
            if (modelName is null && rerankerName is null)
                throw new ConfigurationException("--model", "is required (an embedding model), unless --reranker is given (a rerank-only service).");
            var encoder = modelName is null ? null : SentenceEncoder.Load(ModelArgument.Resolve(modelName, "--model"));
            var crossEncoder = rerankerName is null ? null : CrossEncoder.Load(ModelArgument.Resolve(rerankerName, "--reranker"));
            string? rerankerId = rerankerName is not null && ModelResolver.IsModelName(rerankerName) && !Directory.Exists(rerankerName) ? rerankerName : null;
            var app = EmbeddingServer.Build(encoder, crossEncoder, $"http://{parse.GetValue(host)}:{portNumber}", quiet: false, options, rerankerId);
            app.Start();
            var served = new List<string>();
            if (encoder is not null) served.Add($"{encoder.Config.ModelId} ({encoder.Dimensions} dimensions) on {app.Urls.First()}/v1/embeddings");
            if (crossEncoder is not null) served.Add($"reranker {rerankerId ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(crossEncoder.SourcePath!))} on {app.Urls.First()}/v1/rerank");
            Console.Error.WriteLine($"serving {string.Join(" and ", served)}"
                + (options.ApiKey is null ? "" : " (API key required)") + " — Ctrl+C to stop");
            app.WaitForShutdown();
            return 0;
        });
        return command;
    }

    static LogLevel ParseLevel(string text) => text.ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace, "debug" => LogLevel.Debug, "information" or "info" => LogLevel.Information,
        "warning" or "warn" => LogLevel.Warning, "error" => LogLevel.Error, "critical" => LogLevel.Critical, "none" => LogLevel.None,
        _ => throw new ConfigurationException("--log-level", $"expected trace, debug, information, warning, error, critical or none, found '{text}'."),
    };
}
