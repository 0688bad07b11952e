using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using MLNet.Embeddings.Cli.Serving;
using MLNet.Embeddings.Quantization;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary>The service's API key, per-request limits, <c>encoding_format</c> and <c>precision</c>.</summary>
[Collection("Console")]
public sealed class ServeOptionsTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cli-serve-opt-").FullName;
    readonly SentenceEncoder _model;

    public ServeOptionsTests()
    {
        var vectors = Path.Combine(_dir, "words.vec");
        File.WriteAllText(vectors, "5 3\nthe 0.1 0.2 0.3\ncat 1 0 -1\nsat 0.5 0.5 0.5\nmat -1 2 0.25\ndog 0.9 0.1 -0.8\n");
        _model = SentenceEncoder.Load(vectors);
    }

    public void Dispose() => Directory.Delete(_dir, true);

    static float[] Floats(JsonElement embedding) => embedding.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    [Fact]
    public async Task ApiKeyIsRequiredOnV1ButNotOnHealth()
    {
        await using var server = await TestServer.StartAsync(_model, new ServeOptions { ApiKey = "s3cret" });
        var (none, noneBody) = await server.PostAsync("{\"input\": \"cat\"}");
        Assert.Equal(HttpStatusCode.Unauthorized, none);
        Assert.Contains("API key", noneBody.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("invalid_api_key", noneBody.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.PostAsync("{\"input\": \"cat\"}", apiKey: "s3cre")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.PostAsync("{\"input\": \"cat\"}", apiKey: "s3cret2")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http.GetAsync("/v1/models")).StatusCode);
        var (ok, body) = await server.PostAsync("{\"input\": \"cat\"}", apiKey: "s3cret");
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal(_model.Encode(["cat"])[0], Floats(body.GetProperty("data")[0].GetProperty("embedding")));
        using var lower = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        lower.Headers.TryAddWithoutValidation("Authorization", "bearer s3cret"); // the scheme is case-insensitive, the key is not
        Assert.Equal(HttpStatusCode.OK, (await server.Http.SendAsync(lower)).StatusCode);
        using var upperKey = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        upperKey.Headers.TryAddWithoutValidation("Authorization", "Bearer S3CRET");
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http.SendAsync(upperKey)).StatusCode);
        Assert.Equal("ok", await server.Http.GetStringAsync("/health"));
    }

    [Fact]
    public async Task TooManyInputsOrTokensGet413NamingTheLimitAndTheValue()
    {
        await using var server = await TestServer.StartAsync(_model, new ServeOptions { MaxInputs = 3, MaxTokensPerRequest = 5 });
        var (status, body) = await server.PostAsync(JsonSerializer.Serialize(new { input = new[] { "cat", "dog", "sat", "mat" } }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        string message = body.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains("--max-inputs", message); Assert.Contains("3", message); Assert.Contains("found 4", message);

        (status, body) = await server.PostAsync(JsonSerializer.Serialize(new { input = new[] { "the cat sat", "mat dog the" } }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        message = body.GetProperty("error").GetProperty("message").GetString()!;
        int tokens = _model.Tokenize("the cat sat").Length + _model.Tokenize("mat dog the").Length;
        Assert.True(tokens > 5, $"{tokens} tokens");
        Assert.Contains("--max-tokens-per-request", message); Assert.Contains($"found {tokens}", message);

        Assert.Equal(HttpStatusCode.OK, (await server.PostAsync(JsonSerializer.Serialize(new { input = new[] { "cat", "dog" } }))).Status);
    }

    [Theory]
    [InlineData("{\"input\": \"x\", \"dimensions\": \"two\"}", "dimensions")]
    [InlineData("{\"input\": \"x\", \"dimensions\": 1.5}", "dimensions")]
    [InlineData("{\"input\": \"x\", \"encoding_format\": \"hex\"}", "encoding_format")]
    [InlineData("{\"input\": \"x\", \"precision\": \"int4\"}", "precision")]
    [InlineData("{\"input\": \"x\", \"precision\": \"int8\"}", "--calibration")]
    [InlineData("{\"input\": \"x\", \"prompt\": 3}", "prompt")]
    public async Task BadValuesGet400NamingTheField(string json, string named)
    {
        await using var server = await TestServer.StartAsync(_model);
        var (status, body) = await server.PostAsync(json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(named, body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Base64IsLittleEndianFloat32OfTheSameVector()
    {
        await using var server = await TestServer.StartAsync(_model);
        string[] texts = { "the cat sat", "dog mat" };
        var (status, body) = await server.PostAsync(JsonSerializer.Serialize(new { input = texts, encoding_format = "base64" }));
        Assert.Equal(HttpStatusCode.OK, status);
        var expected = _model.Encode(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            byte[] bytes = Convert.FromBase64String(body.GetProperty("data")[i].GetProperty("embedding").GetString()!);
            Assert.Equal(expected[i].Length * 4, bytes.Length);
            var decoded = Enumerable.Range(0, expected[i].Length).Select(j => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(j * 4))).ToArray();
            Assert.Equal(expected[i], decoded);
        }
        var (_, floatBody) = await server.PostAsync(JsonSerializer.Serialize(new { input = texts, encoding_format = "float" }));
        Assert.Equal(expected[1], Floats(floatBody.GetProperty("data")[1].GetProperty("embedding")));
    }

    [Theory]
    [InlineData("int8")]
    [InlineData("uint8")]
    [InlineData("binary")]
    [InlineData("ubinary")]
    public async Task PrecisionReturnsTheLibrarysCodes(string name)
    {
        string[] texts = { "the cat", "dog", "mat sat the", "cat dog" };
        var vectors = _model.Encode(texts);
        var calibration = Path.Combine(_dir, "ranges.json");
        QuantizationRanges.FromEmbeddings(vectors).Save(calibration); // the file embed --calibration writes, read as serve --calibration does
        var ranges = QuantizationRanges.Load(calibration);
        var precision = EmbeddingQuantizer.Parse(name);
        await using var server = await TestServer.StartAsync(_model, new ServeOptions { Ranges = ranges });
        var (status, body) = await server.PostAsync(JsonSerializer.Serialize(new { input = texts, precision = name }));
        Assert.Equal(HttpStatusCode.OK, status);
        var (status64, body64) = await server.PostAsync(JsonSerializer.Serialize(new { input = texts, precision = name, encoding_format = "base64" }));
        Assert.Equal(HttpStatusCode.OK, status64);
        for (int i = 0; i < texts.Length; i++)
        {
            var codes = EmbeddingQuantizer.Quantize(vectors[i], precision, ranges);
            var expected = EmbeddingQuantizer.ToIntegers(codes, precision);
            var got = body.GetProperty("data")[i].GetProperty("embedding").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(expected, got);
            Assert.Equal(codes, Convert.FromBase64String(body64.GetProperty("data")[i].GetProperty("embedding").GetString()!));
        }
    }

    [Fact]
    public async Task Int8WithRangesOfOtherDimensionsIs400()
    {
        var ranges = QuantizationRanges.FromEmbeddings(_model.Encode(["cat", "dog"]));
        await using var server = await TestServer.StartAsync(_model, new ServeOptions { Ranges = ranges });
        var (status, body) = await server.PostAsync("{\"input\": \"cat\", \"precision\": \"int8\", \"dimensions\": 2}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("3 dimensions", body.GetProperty("error").GetProperty("message").GetString());
    }
}
