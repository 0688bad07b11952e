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

    public static async Task<TestServer> StartAsync(SentenceEncoder model, ServeOptions? options = null)
    {
        var app = EmbeddingServer.Build(model, "http://127.0.0.1:0", quiet: true, options);
        await app.StartAsync();
        return new TestServer(app, new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) });
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string json, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
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
