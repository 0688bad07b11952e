namespace MLNet.Embeddings.Cli.Tests;

[Collection("Console")]
public sealed class DemoCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => ConsoleRun.Cli(args);

    [Fact]
    public void DemoRoundTripsTinyBertAndRanksWithGloveWhenMiniLmIsNotInTheNuGetCache()
    {
        string empty = Path.Combine(Path.GetTempPath(), "no-nuget-" + Guid.NewGuid().ToString("N"));
        string? old = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        Environment.SetEnvironmentVariable("NUGET_PACKAGES", empty); // read by MiniLmPackage only
        (int code, string output, string error) result;
        try { result = Run("demo"); }
        finally { Environment.SetEnvironmentVariable("NUGET_PACKAGES", old); }
        var (code, output, error) = result;
        Assert.True(code == 0, error);
        Assert.Contains("identical vectors", output);
        Assert.Contains("falling back to GloVe", output);
        Assert.Contains("ranking with glove", output);
        // GloVe puts the weather sentence first for the storm query (a real pretrained model, not a random one).
        var lines = output.Split('\n');
        int q = Array.FindIndex(lines, l => l.Contains("query: weather forecast storm"));
        Assert.True(q >= 0, output);
        Assert.Contains("Heavy rain", lines[q + 1]);
    }

    [Fact]
    public void DemoRanksWithAllMiniLmFromTheNuGetCache()
    {
        var (code, output, error) = Run("demo");
        Assert.True(code == 0, error);
        Assert.Contains("real transformer: all-MiniLM-L6-v2", output);
        Assert.Contains("ranking with all-MiniLM-L6-v2 (bert, 384 dimensions)", output);
        var lines = output.Split('\n');
        foreach (var (query, expected) in new[] { ("weather forecast storm", "Heavy rain"), ("healthy lifestyle advice", "Doctors"), ("How did the firm's sales grow?", "record quarterly revenue") })
        {
            int q = Array.FindIndex(lines, l => l.Contains("query: " + query));
            Assert.True(q >= 0, output);
            Assert.Contains(expected, lines[q + 1]);
        }
    }

    [Fact]
    public void DemoWithMissingModelFails()
    {
        var (code, _, _) = Run("demo", "--model", Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid()));
        Assert.NotEqual(0, code);
    }
}
