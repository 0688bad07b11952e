using System.Text;

namespace MLNet.Embeddings.Cli.Tests.Batch;

/// <summary>
/// One input of 100,000 short texts (seeded, words of the tiny BERT fixture's vocabulary) and its output from one
/// uninterrupted <c>embed</c> process: the reference the kill and shard tests compare against byte for byte.
/// The tiny BERT (2 layers, hidden 32) makes a run take a few seconds, long enough to kill it mid-way.
/// </summary>
public sealed class BatchProcessFixture : IAsyncLifetime
{
    public const int Rows = 100_000;
    public const string Window = "1024";

    public string Dir { get; } = Directory.CreateTempSubdirectory("cli-batch-proc-").FullName;
    public string Model { get; private set; } = "";
    public string Input => Path.Combine(Dir, "in.jsonl");
    public string Reference => Path.Combine(Dir, "reference.jsonl");

    /// <summary>The arguments every run shares (model, input, id column, window).</summary>
    public string[] Common(string output) => ["embed", "--model", Model, "--input", Input, "--id-column", "id", "--window", Window, "--output", output];

    public async Task InitializeAsync()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "MLNet.Embeddings.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
        Model = Path.Combine(root, "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
        var words = File.ReadLines(Path.Combine(Model, "vocab.txt")).Where(w => w.Length > 1 && w.All(char.IsAsciiLetterLower)).ToArray();
        Assert.True(words.Length > 100, $"expected the fixture's vocabulary in {Model}");
        var random = new Random(2026);
        using (var writer = new StreamWriter(Input, false, new UTF8Encoding(false), 1 << 16))
        {
            var line = new StringBuilder();
            for (int i = 0; i < Rows; i++)
            {
                line.Clear().Append("{\"id\":\"r").Append(i).Append("\",\"text\":\"");
                int n = random.Next(3, 13);
                for (int w = 0; w < n; w++) line.Append(w > 0 ? " " : "").Append(words[random.Next(words.Length)]);
                writer.Write(line.Append("\"}\n"));
            }
        }
        using var run = CliProcess.Start(Common(Reference));
        var (code, err) = await run.WaitAsync();
        Assert.True(code == 0, err);
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
