using System.Net;
using System.Text;
using System.Text.Json;
using MLNet.Embeddings.Cli.Serving;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary>An <see cref="EmbeddingServer"/> on a free loopback port with an <see cref="HttpClient"/> for it.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    readonly Microsoft.AspNetCore.Builder.WebApplication _app;

    TestServer(Microsoft.AspNetCore.Builder.WebApplication app, HttpClient http) { _app = app; Http = http; }

    public HttpClient Http { get; }

    public static Task<TestServer> StartAsync(SentenceEncoder model, ServeOptions? options = null) => StartAsync(model, null, options);

    /// <summary>A service with an embedding model, a reranker, or both.</summary>
    public static async Task<TestServer> StartAsync(SentenceEncoder? model, MLNet.Embeddings.CrossEncoders.CrossEncoder? reranker, ServeOptions? options = null)
    {
        var app = EmbeddingServer.Build(model, reranker, "http://127.0.0.1:0", quiet: true, options);
        await app.StartAsync();
        return new TestServer(app, new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) });
    }

    public Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string json, string? apiKey = null) => PostToAsync("/v1/embeddings", json, apiKey);

    /// <summary>Posts <paramref name="json"/> to <paramref name="path"/> and parses the answer.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> PostToAsync(string path, string json, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (apiKey is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
