using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MLNet.Embeddings.Cli.Serving;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary>
/// Malformed and hostile bodies against the real service on loopback: each gets a 4xx whose message names the field
/// (or the body, Content-Type or size limit), the server stays up, and a valid request afterwards still gets the
/// library's vectors.
/// </summary>
[Collection("Console")]
public sealed class ServeHostileRequestTests : IAsyncLifetime
{
    readonly string _dir = Directory.CreateTempSubdirectory("cli-serve-hostile-").FullName;
    SentenceEncoder _model = null!;
    TestServer _server = null!;
    const int Limit = 4096;

    public async Task InitializeAsync()
    {
        var vectors = Path.Combine(_dir, "words.vec");
        File.WriteAllText(vectors, "5 3\nthe 0.1 0.2 0.3\ncat 1 0 -1\nsat 0.5 0.5 0.5\nmat -1 2 0.25\ndog 0.9 0.1 -0.8\n");
        _model = SentenceEncoder.Load(vectors);
        _server = await TestServer.StartAsync(_model, new ServeOptions { MaxRequestBytes = Limit });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    async Task<(HttpStatusCode Status, string Message)> Send(byte[] body, string? contentType = "application/json")
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await _server.Http.PostAsync("/v1/embeddings", content);
        string text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return (response.StatusCode, doc.RootElement.GetProperty("error").GetProperty("message").GetString()!);
    }

    Task<(HttpStatusCode Status, string Message)> Send(string json) => Send(Encoding.UTF8.GetBytes(json));

    public static TheoryData<string, string> WrongTypes() => new()
    {
        { "{\"input\": 5}", "\"input\"" },
        { "{\"input\": true}", "\"input\"" },
        { "{\"input\": {\"a\": 1}}", "\"input\"" },
        { "{\"input\": null}", "\"input\"" },
        { "{\"input\": [1, 2]}", "\"input\"[0]" },
        { "{\"input\": [\"ok\", [\"nested\"]]}", "\"input\"[1]" },
        { "{\"input\": [\"ok\", null]}", "\"input\"[1]" },
        { "{}", "\"input\"" },
        { "{\"input\": \"x\", \"dimensions\": \"two\"}", "\"dimensions\"" },
        { "{\"input\": \"x\", \"dimensions\": 1.5}", "\"dimensions\"" },
        { "{\"input\": \"x\", \"dimensions\": [2]}", "\"dimensions\"" },
        { "{\"input\": \"x\", \"dimensions\": {}}", "\"dimensions\"" },
        { "{\"input\": \"x\", \"dimensions\": true}", "\"dimensions\"" },
        { "{\"input\": \"x\", \"dimensions\": 1e400}", "\"dimensions\"" },
        { "{\"input\": \"x\", \"dimensions\": 1180591620717411303424}", "\"dimensions\"" },
        { "{\"input\": \"x\", \"dimensions\": -1180591620717411303424}", "\"dimensions\"" },
        { "{\"input\": \"x\", \"dimensions\": 0}", "\"dimensions\"" },
        { "{\"input\": \"x\", \"prompt\": 3}", "\"prompt\"" },
        { "{\"input\": \"x\", \"prompt\": [\"a\"]}", "\"prompt\"" },
        { "{\"input\": \"x\", \"prompt_name\": {}}", "\"prompt_name\"" },
        { "{\"input\": \"x\", \"prompt_name\": \"nope\"}", "prompt_name" },
        { "{\"input\": \"x\", \"encoding_format\": 1}", "\"encoding_format\"" },
        { "{\"input\": \"x\", \"encoding_format\": \"hex\"}", "\"encoding_format\"" },
        { "{\"input\": \"x\", \"precision\": false}", "\"precision\"" },
        { "{\"input\": \"x\", \"precision\": \"int4\"}", "\"precision\"" },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public async Task WrongTypesAndValuesGet400NamingTheField(string json, string field)
    {
        var (status, message) = await Send(json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(field, message);
        await AssertStillServes();
    }

    [Theory]
    [InlineData("{\"input\": \"\\ud800x\"}", "\"input\"")]
    [InlineData("{\"input\": [\"fine\", \"\\udc00\"]}", "\"input\"[1]")]
    [InlineData("{\"input\": \"x\", \"prompt\": \"\\ud800\"}", "\"prompt\"")]
    [InlineData("{\"input\": \"x\", \"prompt_name\": \"q\\udbff\"}", "\"prompt_name\"")]
    public async Task LoneSurrogatesGet400NamingTheField(string json, string field)
    {
        var (status, message) = await Send(json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(field, message);
        Assert.Contains("surrogate", message);
        await AssertStillServes();
    }

    [Theory]
    [InlineData("{\"input\": \"a\", \"input\": 5}", "\"input\"")]
    [InlineData("{\"input\": \"a\", \"dimensions\": 2, \"dimensions\": 3}", "\"dimensions\"")]
    public async Task DuplicateKeysGet400NamingTheField(string json, string field)
    {
        var (status, message) = await Send(json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(field, message);
        Assert.Contains("more than once", message);
        await AssertStillServes();
    }

    [Fact]
    public async Task InvalidUtf8Gets400NamingTheBody()
    {
        var head = Encoding.UTF8.GetBytes("{\"input\": \"ca");
        var tail = Encoding.UTF8.GetBytes("t\"}");
        foreach (var bad in new[] { new byte[] { 0xFF }, new byte[] { 0xC3 }, new byte[] { 0xED, 0xA0, 0x80 } }) // stray byte, cut sequence, encoded surrogate
        {
            var (status, message) = await Send([.. head, .. bad, .. tail]);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.True(message.Contains("request body") || message.Contains("\"input\""), message);
        }
        await AssertStillServes();
    }

    [Fact]
    public async Task DeepNestingGets400()
    {
        string json = "{\"input\": " + new string('[', 1000) + "\"x\"" + new string(']', 1000) + "}";
        var (status, message) = await Send(json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("request body", message);
        Assert.Contains("deeper", message);
        await AssertStillServes();
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "request body")]
    [InlineData("not json", "request body")]
    [InlineData("{\"input\": \"x\"", "request body")]
    [InlineData("{\"input\": \"x\"} trailing", "request body")]
    [InlineData("[\"x\"]", "JSON object")]
    [InlineData("\"x\"", "JSON object")]
    [InlineData("null", "JSON object")]
    public async Task BodiesThatAreNotAnObjectGet400NamingTheBody(string body, string named)
    {
        var (status, message) = await Send(body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(named, message);
        await AssertStillServes();
    }

    [Fact]
    public async Task OversizedBodyGets413NamingTheLimit()
    {
        string json = "{\"input\": \"" + string.Concat(Enumerable.Repeat("cat ", Limit)) + "\"}";
        var (status, message) = await Send(json);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains($"{Limit} bytes", message);

        // Without Content-Length (chunked), the limit holds while reading.
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var chunked = new StreamContent(stream);
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var response = await _server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains($"{Limit} bytes", await response.Content.ReadAsStringAsync());
        await AssertStillServes();
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task WrongContentTypeGets415NamingIt(string contentType)
    {
        var (status, message) = await Send(Encoding.UTF8.GetBytes("{\"input\": \"cat\"}"), contentType);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("Content-Type", message);
        await AssertStillServes();
    }

    [Fact]
    public async Task JsonContentTypesWithCharsetOrSuffixAndUnknownFieldsAreAccepted()
    {
        foreach (var type in new[] { "application/json; charset=utf-8", "application/vnd.api+json" })
        {
            var content = new StringContent("{\"model\": \"any\", \"user\": \"u\", \"input\": \"cat\"}", Encoding.UTF8);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            using var response = await _server.Http.PostAsync("/v1/embeddings", content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    /// <summary>The process is up and a valid request gets exactly the library's vectors.</summary>
    async Task AssertStillServes()
    {
        Assert.Equal("ok", await _server.Http.GetStringAsync("/health"));
        string[] texts = { "the cat sat", "dog" };
        var (status, body) = await _server.PostAsync(JsonSerializer.Serialize(new { input = texts }));
        Assert.Equal(HttpStatusCode.OK, status);
        var expected = _model.Encode(texts);
        for (int i = 0; i < texts.Length; i++)
            Assert.Equal(expected[i], body.GetProperty("data")[i].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray());
    }
}
