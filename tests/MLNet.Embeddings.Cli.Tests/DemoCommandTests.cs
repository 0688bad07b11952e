namespace MLNet.Embeddings.Cli.Tests;

[Collection("Console")]
public sealed class DemoCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => ConsoleRun.Cli(args);

    [Fact]
    public void DemoRoundTripsTinyBertAndRanksWithGlove()
    {
        var (code, output, error) = Run("demo");
        Assert.True(code == 0, error);
        Assert.Contains("identical vectors", output);
        // GloVe puts the weather sentence first for the storm query (a real pretrained model, not a random one).
        var lines = output.Split('\n');
        int q = Array.FindIndex(lines, l => l.Contains("query: weather forecast storm"));
        Assert.True(q >= 0, output);
        Assert.Contains("Heavy rain", lines[q + 1]);
    }

    [Fact]
    public void DemoWithMissingModelFails()
    {
        var (code, _, _) = Run("demo", "--model", Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid()));
        Assert.NotEqual(0, code);
    }
}
