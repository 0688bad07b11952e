using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MLNet.Embeddings.Cli.Tests.Reranking;

/// <summary><c>mlnet-embed serve --reranker DIR</c> as a real process (no <c>--model</c>: a rerank-only service), and the options' checks.</summary>
public sealed class ServeRerankProcessTests : IDisposable
{
    readonly TinyReranker _reranker = new();

    public void Dispose() => _reranker.Dispose();

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int sig);

    [Fact]
    public async Task RerankOnlyServiceAnswersWithPredictsScores()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return; // stops it with SIGTERM
        string cli = Path.Combine(AppContext.BaseDirectory, "mlnet-embed.dll");
        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { cli, "serve", "--reranker", _reranker.Folder, "--port", "0", "--max-documents", "4" }) start.ArgumentList.Add(a);
        start.Environment.Remove("MLNET_EMBED_API_KEY");
        using var process = Process.Start(start)!;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = new StringBuilder();
            string? url = null;
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
                while (url is null && await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
                {
                    stderr.AppendLine(line);
                    if (Regex.Match(line, @"^serving reranker tiny-reranker on (http://\S+)/v1/rerank") is { Success: true } m) url = m.Groups[1].Value;
                }
            Assert.True(url is not null, "no 'serving reranker ... on URL/v1/rerank' line: " + stderr);
            var rest = process.StandardError.ReadToEndAsync();

            using var http = new HttpClient { BaseAddress = new Uri(url!), Timeout = TimeSpan.FromSeconds(30) };
            string[] documents = ["was he", "the of and", "she you had"];
            var content = new StringContent(JsonSerializer.Serialize(new { query = "the was", documents, top_n = 2 }), Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/rerank", content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var expected = _reranker.Model.Predict(documents.Select(d => ("the was", d)).ToArray());
            var results = body.RootElement.GetProperty("results");
            Assert.Equal(2, results.GetArrayLength());
            var best = Enumerable.Range(0, 3).OrderByDescending(i => expected[i]).ThenBy(i => i).ToArray();
            for (int k = 0; k < 2; k++)
            {
                Assert.Equal(best[k], results[k].GetProperty("index").GetInt32());
                Assert.True(Math.Abs(results[k].GetProperty("relevance_score").GetDouble() - expected[best[k]]) <= 1e-6);
            }
            var tooMany = new StringContent(JsonSerializer.Serialize(new { query = "q", documents = new[] { "a", "b", "c", "d", "e" } }), Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await http.PostAsync("/v1/rerank", tooMany)).StatusCode); // --max-documents 4
            Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/v1/embeddings", new StringContent("{\"input\": \"x\"}", Encoding.UTF8, "application/json"))).StatusCode);

            Assert.Equal(0, kill(process.Id, 15));
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
                await process.WaitForExitAsync(timeout.Token);
            stderr.Append(await rest);
            Assert.Equal("", await stdout);
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }
}

/// <summary>The serve command's checks of <c>--model</c> / <c>--reranker</c> and <c>--max-documents</c>.</summary>
[Collection("Console")]
public sealed class ServeRerankOptionTests
{
    [Fact]
    public void NeitherModelNorRerankerIsAnErrorNamingModel()
    {
        var (code, _, stderr) = ConsoleRun.Cli("serve", "--port", "0");
        Assert.NotEqual(0, code);
        Assert.Contains("--model", stderr);
        Assert.Contains("--reranker", stderr);
    }

    [Fact]
    public void MaxDocumentsBelowOneIsAnError()
    {
        var (code, _, stderr) = ConsoleRun.Cli("serve", "--reranker", "nowhere", "--max-documents", "0");
        Assert.NotEqual(0, code);
        Assert.Contains("--max-documents", stderr);
    }

    [Fact]
    public void AnEmbeddingModelIsNotAReranker()
    {
        string encoder = Path.Combine(Repository.Root, "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
        var (code, _, stderr) = ConsoleRun.Cli("serve", "--reranker", encoder, "--port", "0");
        Assert.NotEqual(0, code);
        Assert.Contains("not a sequence-classification model", stderr);
    }
}
