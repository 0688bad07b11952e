using System.Diagnostics;
using System.Runtime.InteropServices;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Tokenization.WordPiece;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary>Stops a real <c>mlnet-embed</c> process with a signal mid-run (a child process: signals are process-wide).</summary>
public sealed class CancellationTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cli-cancel-").FullName;

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int sig);

    /// <summary>A random BERT big enough that encoding the input takes far longer than the test waits (hidden 128, 250-token texts).</summary>
    string SlowBert()
    {
        var tokenizer = WordPieceTokenizer.FromVocabulary(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "revenue", "grew", "cloud", "demand", "rain"]);
        var config = new BertConfig { VocabSize = tokenizer.VocabSize, HiddenSize = 128, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 512, MaxPositionEmbeddings = 512 };
        var folder = Path.Combine(_dir, "model");
        new SentenceEncoder(tokenizer, BertBackbone.Create(config, seed: 1), new SentenceEncoderConfig { MaxSeqLength = 512 }).Save(folder);
        return folder;
    }

    [Fact]
    public async Task SigtermDuringEmbedCancelsExits143AndLeavesNoOutputFile()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return; // POSIX signals only
        string cli = Path.Combine(AppContext.BaseDirectory, "mlnet-embed.dll");
        Assert.True(File.Exists(cli), cli);
        string input = Path.Combine(_dir, "in.txt");
        string text = string.Join(' ', Enumerable.Repeat("revenue grew cloud demand rain", 50)); // 250 tokens
        File.WriteAllLines(input, Enumerable.Repeat(text, 5_000));
        string model = SlowBert();
        string output = Path.Combine(_dir, "out.jsonl");

        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { cli, "embed", "--model", model, "--input", input, "--output", output }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();

            // OUTPUT.partial appears once the model is loaded: the command is encoding.
            var clock = Stopwatch.StartNew();
            while (!File.Exists(output + ".partial") && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
                await Task.Delay(20);
            if (process.HasExited) Assert.Fail("finished before the signal: " + await stderr);
            Assert.Equal(0, kill(process.Id, 15)); // SIGTERM
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
                await process.WaitForExitAsync(timeout.Token); // throws when still running 30 s after SIGTERM

            string errors = await stderr;
            Assert.True(process.ExitCode == 143, $"exit code {process.ExitCode}: {errors}");
            Assert.Contains("cancelled", errors);
            Assert.DoesNotContain("   at ", errors);
            Assert.Equal("", await stdout);
            Assert.False(File.Exists(output));                  // only a complete output gets the final name
            Assert.True(File.Exists(output + ".partial"));      // kept for --resume
            Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }
}
