using System.Globalization;
using System.Net;
using System.Text.Json;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary>A text with no known word (static model): an all-zero vector with 200 from serve, similarity 0 (not NaN) from similarity.</summary>
[Collection("Console")]
public sealed class UnknownWordTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cli-unknown-").FullName;
    readonly string _vectors;

    public UnknownWordTests()
    {
        _vectors = Path.Combine(_dir, "words.vec");
        File.WriteAllText(_vectors, "3 2\ncat 1 0\ndog 0 1\nsat 0.5 -0.5\n");
    }

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public async Task ServeReturnsAZeroVector()
    {
        await using var server = await TestServer.StartAsync(SentenceEncoder.Load(_vectors));
        var (status, body) = await server.PostAsync(JsonSerializer.Serialize(new { input = new[] { "zebra quokka", "cat" } }));
        Assert.Equal(HttpStatusCode.OK, status);
        var zero = body.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(new float[] { 0, 0 }, zero);
        Assert.Contains(body.GetProperty("data")[1].GetProperty("embedding").EnumerateArray(), e => e.GetSingle() != 0);
    }

    [Fact]
    public void SimilarityOfAZeroVectorIsZeroNotNaN()
    {
        var corpus = Path.Combine(_dir, "corpus.txt");
        File.WriteAllLines(corpus, ["cat", "dog sat", "zebra"]);
        var (code, stdout, stderr) = ConsoleRun.Cli("similarity", "--model", _vectors, "--query", "quokka", "--corpus", corpus);
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        foreach (var line in lines)
        {
            Assert.DoesNotContain("NaN", line);
            Assert.Equal(0.0, double.Parse(line.Split('\t')[1], CultureInfo.InvariantCulture));
        }
    }
}
