using System.Text.Json.Nodes;
using MLNet.Embeddings.CrossEncoders;
using Microsoft.AspNetCore.Http;

namespace MLNet.Embeddings.Cli.Serving;

/// <summary>
/// <c>POST /v1/rerank</c> (and <c>/rerank</c>): scores each document against the query with a <see cref="CrossEncoder"/>
/// and answers best first, in the shape Cohere, Jina and TEI clients use. Request <c>{"query": "...", "documents":
/// ["..." | {"text": "..."}], "top_n"?: N, "return_documents"?: bool, "model"?: ignored}</c>; response <c>{"model",
/// "results": [{"index", "relevance_score", "document"?: {"text"}}], "usage": {"total_tokens"}}</c>. TEI's own body
/// (<c>"texts"</c> instead of <c>"documents"</c>, with <c>"return_text"</c> and <c>"raw_scores"</c>) gets TEI's answer, a bare
/// array <c>[{"index", "score", "text"?}]</c>. Pairs of concurrent requests share cross-encoder calls
/// (<see cref="RequestBatcher{TItem, TKey, TResult}"/>), so scores are those of <see cref="CrossEncoder.Predict"/>.
/// </summary>
internal sealed class RerankEndpoint : IAsyncDisposable
{
    readonly CrossEncoder _model;
    readonly ServeOptions _options;
    readonly ServiceMetrics _metrics;
    /// <summary>Key: raw logits (TEI's <c>raw_scores</c>) rather than the model's activation.</summary>
    readonly RequestBatcher<(string Query, string Document), bool, float> _batcher;

    /// <param name="model">The cross-encoder all requests share.</param>
    /// <param name="modelId">The name answered in <c>"model"</c> and listed by <c>/v1/models</c>.</param>
    /// <param name="options">The service's limits.</param>
    /// <param name="metrics">Counts documents, tokens and the pairs of each cross-encoder call.</param>
    public RerankEndpoint(CrossEncoder model, string modelId, ServeOptions options, ServiceMetrics metrics)
    {
        _model = model; ModelId = modelId; _options = options; _metrics = metrics;
        _batcher = new((pairs, raw) => model.Predict(pairs, raw ? new CrossEncoderOptions { Activation = CrossEncoderActivation.Identity } : null),
            onPass: metrics.RerankPass);
    }

    /// <summary>The reranker's name in answers.</summary>
    public string ModelId { get; }

    /// <summary>Answers one rerank request; a malformed one ends in a <see cref="RequestException"/>.</summary>
    public async Task<IResult> HandleAsync(HttpContext context)
    {
        var request = await RequestBody.ReadJsonAsync(context, _options.MaxRequestBytes, "query");
        bool tei = !request.Has("documents") && request.Has("texts");
        string field = tei ? "texts" : "documents";
        string query = request.String("query") ?? throw Bad("\"query\" is missing; it must be a string");
        string[] documents = request.TextArray(field) ?? throw Bad("\"documents\" is missing; it must be an array of strings");
        if (documents.Length == 0) throw Bad($"\"{field}\" must hold at least one document, found 0");
        if (documents.Length > _options.MaxDocuments)
            throw new RequestException(413, $"too many documents: the limit (--max-documents) is {_options.MaxDocuments} documents per request, found {documents.Length}");
        int? topN = request.Int("top_n");
        if (topN < 1) throw Bad($"\"top_n\" must be at least 1, found {topN}");
        bool returnDocuments = request.Bool(tei ? "return_text" : "return_documents") ?? false;
        bool raw = tei && (request.Bool("raw_scores") ?? false);
        long tokens = 0;
        foreach (var d in documents) tokens += _model.Tokenize(query, d).Length;
        if (tokens > _options.MaxTokensPerRequest)
            throw new RequestException(413, $"too many tokens: the limit (--max-tokens-per-request) is {_options.MaxTokensPerRequest} tokens per request (all query–document pairs), found {tokens}");

        var pairs = new (string, string)[documents.Length];
        for (int i = 0; i < documents.Length; i++) pairs[i] = (query, documents[i]);
        var scores = await _batcher.SubmitAsync(pairs, raw, context.RequestAborted);
        var order = Enumerable.Range(0, documents.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(topN ?? documents.Length);
        var results = new JsonArray();
        foreach (int i in order)
        {
            var result = new JsonObject { ["index"] = i, [tei ? "score" : "relevance_score"] = scores[i] };
            if (returnDocuments) result[tei ? "text" : "document"] = tei ? documents[i] : new JsonObject { ["text"] = documents[i] };
            results.Add(result);
        }
        _metrics.Reranked(documents.Length, tokens);
        JsonNode body = tei ? results : new JsonObject
        {
            ["model"] = ModelId, ["results"] = results, ["usage"] = new JsonObject { ["total_tokens"] = tokens },
        };
        return Results.Text(body.ToJsonString(), "application/json");
    }

    static RequestException Bad(string message) => new(400, message);

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();
}
