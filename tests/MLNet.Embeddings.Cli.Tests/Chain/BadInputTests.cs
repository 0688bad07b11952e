namespace MLNet.Embeddings.Cli.Tests.Chain;

/// <summary>Bad input never passes silently: a clear error naming the option or file, before any slow work.</summary>
[Collection("Console")]
public sealed class BadInputTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("mlnet-bad-input-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    string F(string name) => Path.Combine(_dir, name);

    string Rows(int n)
    {
        var path = F("rows.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, n).Select(i => $$"""{"query": "question {{i}}", "pos": ["answer {{i}} text"]}"""));
        return path;
    }

    [Theory]
    [InlineData("0.8,0.5,0.1", "sum 1.4")]
    [InlineData("0.8,0.2,0.1", "sum 1.1")]
    [InlineData("0.5,0.1,0.1", "sum 0.7")]
    [InlineData("0.9,0.1,0", "positive")]
    public void SplitRatiosMustBePositiveAndSumToOne(string ratios, string expected)
    {
        var (code, stdout, stderr) = ConsoleRun.Cli("data", "split", "--input", Rows(30), "--output-dir", F("out"), "--ratios", ratios);
        Assert.Equal(1, code);
        Assert.StartsWith("error: --ratios: ", stderr);
        Assert.Contains(expected, stderr);
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(F("out")));
    }

    [Fact]
    public void SplitPrintsItsSummaryToStderrAndKeepsStdoutJson()
    {
        var (code, stdout, stderr) = ConsoleRun.Cli("data", "split", "--input", Rows(50), "--output-dir", F("out"));
        Assert.True(code == 0, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout); // stdout is one JSON report
        Assert.Matches(@"split: 50 rows → \d+ train / \d+ val / \d+ test in ", stderr);
    }

    [Theory]
    [InlineData("split")]
    [InlineData("clean")]
    [InlineData("clean-stdout")]
    public void AnEmptyFileIsAnError(string command)
    {
        File.WriteAllText(F("empty.jsonl"), "");
        string[] args = command switch
        {
            "split" => ["data", "split", "--input", F("empty.jsonl"), "--output-dir", F("out")],
            "clean" => ["data", "clean", "--input", F("empty.jsonl"), "--output", F("out.jsonl")],
            _ => ["data", "clean", "--input", F("empty.jsonl")],
        };
        var (code, _, stderr) = ConsoleRun.Cli(args);
        Assert.Equal(1, code);
        Assert.Contains($"error: {F("empty.jsonl")}: expected training rows, found none", stderr);
        Assert.False(File.Exists(F("out.jsonl")));
        Assert.False(Directory.Exists(F("out")));
    }

    [Theory]
    [InlineData("--batch-size", "-3", "must be at least 1, found -3")]
    [InlineData("--lr", "0", "must be a positive number")]
    [InlineData("--negatives", "-1", "must be 0 or more")]
    [InlineData("--max-steps", "0", "must be at least 1")]
    public void TrainOptionsAreCheckedBeforeTheModelAndDataAreLoaded(string flag, string value, string expected)
    {
        // neither the model nor the training file exists: the option error must come first
        var (code, _, stderr) = ConsoleRun.Cli("train", "--model", F("no-model"), "--train", F("no-data.jsonl"), "--output", F("out"), flag, value);
        Assert.Equal(1, code);
        Assert.Equal($"error: {flag}: {expected}", stderr.Trim()[..$"error: {flag}: {expected}".Length]);
    }

    [Fact]
    public void PlotNamesAMissingFieldAndTheFieldsPresent()
    {
        File.WriteAllText(F("glove.txt"), "question 0.1 0.2 0.3\nanswer 0.3 0.1 0.2\ntext 0.2 0.2 0.1\n");
        var (code, _, stderr) = ConsoleRun.Cli("plot", "--model", F("glove.txt"), "--input", Rows(5), "--label-column", "ticker", "--output", F("p.svg"));
        Assert.Equal(1, code);
        Assert.Contains("field 'ticker'", stderr);
        Assert.Contains("this row has: query, pos", stderr);
        (code, _, stderr) = ConsoleRun.Cli("plot", "--model", F("glove.txt"), "--input", Rows(5), "--text-column", "text", "--output", F("p.svg"));
        Assert.Equal(1, code);
        Assert.Contains("field 'text': no such field; this row has: query, pos", stderr);
        (code, _, stderr) = ConsoleRun.Cli("plot", "--model", F("glove.txt"), "--input", Rows(5), "--output", F("p.svg"), "--perplexity", "1");
        Assert.True(code == 0, stderr);
        Assert.Contains("texts from field 'query'", stderr);
    }
}
