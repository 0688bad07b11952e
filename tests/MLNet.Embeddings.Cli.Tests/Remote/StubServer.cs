using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace MLNet.Embeddings.Cli.Tests.Remote;

/// <summary>A loopback /v1/embeddings whose answer to request N is scripted (status, headers, delay); it counts requests.</summary>
internal sealed class StubServer : IAsyncDisposable
{
    readonly WebApplication _app;
    int _requests;

    StubServer(WebApplication app) => _app = app;

    public int Requests => Volatile.Read(ref _requests);
    public Uri Endpoint => new(_app.Urls.First() + "/v1");

    /// <summary>Starts the stub; <paramref name="answer"/> gets the 0-based request number and writes the reply.</summary>
    public static async Task<StubServer> StartAsync(Func<int, HttpContext, Task> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        StubServer? stub = null;
        app.MapPost("/v1/embeddings", async context =>
        {
            int n = Interlocked.Increment(ref stub!._requests) - 1;
            await answer(n, context);
        });
        stub = new StubServer(app);
        await app.StartAsync();
        return stub;
    }

    /// <summary>A valid answer: one 2-dimensional vector per input text, [i, 1].</summary>
    public static async Task Ok(HttpContext context)
    {
        var body = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body);
        int n = body.RootElement.GetProperty("input").GetArrayLength();
        var data = Enumerable.Range(0, n).Select(i => new { @object = "embedding", index = i, embedding = new float[] { i, 1 } });
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(new
        {
            @object = "list", data, model = "stub", usage = new { prompt_tokens = 7 * n, total_tokens = 7 * n },
        }));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
