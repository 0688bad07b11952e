using System.Net;
using System.Text;
using System.Text.Json;
using MLNet.Embeddings.Cli.Serving;

namespace MLNet.Embeddings.Cli.Tests;

[Collection("Console")] // the web host must not write into another test's redirected console
public sealed class ServeTests : IAsyncLifetime
{
    readonly string _dir = Directory.CreateTempSubdirectory("cli-serve-").FullName;
    SentenceEncoder _model = null!;
    Microsoft.AspNetCore.Builder.WebApplication _app = null!;
    HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var vectors = Path.Combine(_dir, "words.vec");
        File.WriteAllText(vectors, "5 3\nthe 0.1 0.2 0.3\ncat 1 0 -1\nsat 0.5 0.5 0.5\nmat -1 2 0.25\ndog 0.9 0.1 -0.8\n");
        _model = SentenceEncoder.Load(vectors);
        _app = EmbeddingServer.Build(_model, "http://127.0.0.1:0", quiet: true);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    async Task<(HttpStatusCode Status, JsonElement Body)> Post(string json)
    {
        using var response = await _http.PostAsync("/v1/embeddings", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task ConcurrentRequestsGetTheLibrarysVectorsInOrder()
    {
        string[][] inputs = { new[] { "the cat sat", "dog" }, new[] { "mat mat cat" }, new[] { "sat", "the dog", "cat dog mat" }, new[] { "unknownword" } };
        var tasks = inputs.Select(i => Post(JsonSerializer.Serialize(new { input = i }))).ToArray();
        var results = await Task.WhenAll(tasks);
        for (int r = 0; r < inputs.Length; r++)
        {
            Assert.Equal(HttpStatusCode.OK, results[r].Status);
            var data = results[r].Body.GetProperty("data");
            Assert.Equal(inputs[r].Length, data.GetArrayLength());
            var expected = _model.Encode(inputs[r]);
            for (int i = 0; i < inputs[r].Length; i++)
            {
                Assert.Equal(i, data[i].GetProperty("index").GetInt32());
                var got = data[i].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
                Assert.Equal(expected[i], got);
            }
        }
    }

    [Fact]
    public async Task SingleStringAndDimensions()
    {
        var (status, body) = await Post("{\"input\": \"the cat\", \"dimensions\": 2}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("data")[0].GetProperty("embedding").GetArrayLength());
        Assert.Equal(_model.Config.ModelId, body.GetProperty("model").GetString());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"input\": 5}")]
    [InlineData("{\"input\": []}")]
    [InlineData("{\"input\": \"x\", \"dimensions\": 99}")]
    [InlineData("{\"input\": \"x\", \"prompt_name\": \"nope\"}")]
    public async Task BadRequestsGet400WithAMessage(string json)
    {
        var (status, body) = await Post(json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetProperty("message").GetString()));
    }

    [Fact]
    public async Task HealthAndModels()
    {
        Assert.Equal("ok", await _http.GetStringAsync("/health"));
        using var doc = JsonDocument.Parse(await _http.GetStringAsync("/v1/models"));
        Assert.Equal(3, doc.RootElement.GetProperty("data")[0].GetProperty("dimensions").GetInt32());
    }
}
