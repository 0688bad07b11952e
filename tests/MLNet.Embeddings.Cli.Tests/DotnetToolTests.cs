using System.Diagnostics;
using System.Text.Json;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary>
/// The CLI as a .NET tool: <c>dotnet pack</c> into a temp folder (its own artifacts path, so the test's build is untouched),
/// <c>dotnet tool install --tool-path</c> from that folder (offline: the nupkg plus the NuGet cache), then the installed
/// <c>mlnet-embed</c> prints its version and embeds texts with GloVe vectors exactly as the library does. Slow (a full
/// Release build of the CLI); the one test of its kind.
/// </summary>
public sealed class DotnetToolTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cli-tool-").FullName;

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    static string Dotnet() => Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    static (int Code, string Out, string Err) Run(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        if (Path.IsPathRooted(Dotnet())) start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(Dotnet());
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout)) { process.Kill(true); throw new TimeoutException($"{file} {string.Join(' ', args)}: still running after {timeout}"); }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void PackedToolInstallsAndEmbeds()
    {
        string nupkg = Path.Combine(_dir, "nupkg"), tools = Path.Combine(_dir, "tools");
        string version = "0.0.1-test" + Environment.ProcessId;
        var pack = Run(Dotnet(), ["pack", Path.Combine(Root(), "src", "MLNet.Embeddings.Cli"), "-c", "Release", "-p:LibTorchPackage=None",
            $"-p:Version={version}", "--artifacts-path", Path.Combine(_dir, "artifacts"), "-o", nupkg], TimeSpan.FromMinutes(15));
        Assert.True(pack.Code == 0, pack.Out + pack.Err);
        Assert.True(File.Exists(Path.Combine(nupkg, $"mlnet-embed.{version}.nupkg")), pack.Out);

        var install = Run(Dotnet(), ["tool", "install", "--tool-path", tools, "--add-source", nupkg, "mlnet-embed", "--version", version], TimeSpan.FromMinutes(5));
        Assert.True(install.Code == 0, install.Out + install.Err);
        string tool = Path.Combine(tools, OperatingSystem.IsWindows() ? "mlnet-embed.exe" : "mlnet-embed");

        var shown = Run(tool, ["--version"], TimeSpan.FromMinutes(1));
        Assert.True(shown.Code == 0, shown.Err);
        Assert.StartsWith(version, shown.Out.Trim());

        // A GloVe subset (the real vectors from shared/data when present), written to temp.
        string vectors = Path.Combine(_dir, "glove.txt");
        string? glove = Commands.SharedData.Find() is { } data ? Path.Combine(data, "glove", "glove.6B.100d.top50k.txt") : null;
        if (glove is not null && File.Exists(glove)) File.WriteAllLines(vectors, File.ReadLines(glove).Take(2000));
        else File.WriteAllLines(vectors, ["the 0.1 0.2 0.3", "revenue 1 0 -1", "grew 0.5 0.5 0.5", "cloud -1 2 0.25"]);
        string input = Path.Combine(_dir, "in.txt");
        string[] texts = { "the market grew", "people said", "the the" };
        File.WriteAllLines(input, texts);
        var embed = Run(tool, ["embed", "--model", vectors, "--input", input], TimeSpan.FromMinutes(2));
        Assert.True(embed.Code == 0, embed.Err);
        var expected = SentenceEncoder.Load(vectors).Encode(texts);
        var lines = embed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(texts.Length, lines.Length);
        for (int i = 0; i < texts.Length; i++)
        {
            using var row = JsonDocument.Parse(lines[i]);
            Assert.Equal(i, row.RootElement.GetProperty("index").GetInt32());
            Assert.Equal(expected[i], row.RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray());
        }
        Assert.Contains(expected, v => v.Any(x => x != 0));

        // ONNX Runtime's natives flow into the tool: export a tiny BERT and embed it with --backend onnx.
        string bert = Path.Combine(_dir, "bert");
        Directory.CreateDirectory(bert);
        foreach (var f in Directory.GetFiles(Path.Combine(Root(), "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu")))
            File.Copy(f, Path.Combine(bert, Path.GetFileName(f)));
        var export = Run(tool, ["export", "--model", bert, "--output", Path.Combine(bert, "model.onnx")], TimeSpan.FromMinutes(2));
        Assert.True(export.Code == 0, export.Err);
        var onnx = Run(tool, ["embed", "--model", bert, "--input", input, "--backend", "onnx"], TimeSpan.FromMinutes(2));
        Assert.True(onnx.Code == 0, onnx.Err);
        var managed = SentenceEncoder.Load(bert).Encode(texts);
        var onnxLines = onnx.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(texts.Length, onnxLines.Length);
        for (int i = 0; i < texts.Length; i++)
        {
            using var row = JsonDocument.Parse(onnxLines[i]);
            var got = row.RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.Equal(managed[i].Length, got.Length);
            for (int j = 0; j < got.Length; j++) Assert.True(MathF.Abs(got[j] - managed[i][j]) <= 1e-4f, $"text {i} dim {j}: onnx {got[j]}, managed {managed[i][j]}");
        }
    }
}
