using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using MLNet.Embeddings.Quantization;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary><c>mlnet-embed serve</c> as a real process: logs on stderr only, the API key from the environment, <c>--calibration</c>.</summary>
public sealed class ServeProcessTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cli-serve-proc-").FullName;

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int sig);

    [Theory]
    [InlineData("information", true)]
    [InlineData(null, false)] // default: warning
    public async Task LogsGoToStderrAndStdoutStaysEmpty(string? level, bool expectInfoLogs)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return; // stops it with SIGTERM
        var vectors = Path.Combine(_dir, "words.vec");
        File.WriteAllText(vectors, "3 2\ncat 1 0\ndog 0 1\nsat 0.5 -0.5\n");
        var ranges = Path.Combine(_dir, "ranges.json");
        QuantizationRanges.FromEmbeddings(SentenceEncoder.Load(vectors).Encode(["cat", "dog", "sat"])).Save(ranges);

        string cli = Path.Combine(AppContext.BaseDirectory, "mlnet-embed.dll");
        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var args = new List<string> { cli, "serve", "--model", vectors, "--port", "0", "--calibration", ranges };
        if (level is not null) args.AddRange(["--log-level", level]);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["MLNET_EMBED_API_KEY"] = "from-env";
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
                    if (Regex.Match(line, @"^serving .* on (http://\S+)/v1/embeddings") is { Success: true } m) url = m.Groups[1].Value;
                }
            Assert.True(url is not null, "no 'serving ... on URL' line: " + stderr);
            var rest = process.StandardError.ReadToEndAsync();

            using var http = new HttpClient { BaseAddress = new Uri(url!), Timeout = TimeSpan.FromSeconds(30) };
            Assert.Equal("ok", await http.GetStringAsync("/health"));
            var content = new StringContent("{\"input\": [\"cat\", \"sat dog\"], \"precision\": \"int8\"}", Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/v1/embeddings", content)).StatusCode);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings") { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "from-env");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("\"embedding\":[", await response.Content.ReadAsStringAsync());

            Assert.Equal(0, kill(process.Id, 15)); // SIGTERM: the host stops
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
                await process.WaitForExitAsync(timeout.Token);
            stderr.Append(await rest);
            Assert.Equal("", await stdout);
            Assert.Contains("(API key required)", stderr.ToString());
            if (expectInfoLogs) Assert.Contains("Request starting", stderr.ToString());
            else Assert.DoesNotContain("info:", stderr.ToString());
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }
}
