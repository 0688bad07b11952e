using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Tests.Hub;
using MLNet.Embeddings.Tokenization.WordPiece;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary>
/// Models by name on the command line against a loopback Hub: <c>models download</c>, <c>models list</c>, a Hub name
/// as <c>--model</c> (then offline from the cache), and a name with nothing cached offline.
/// </summary>
[Collection("Console")]
public sealed class ModelsCommandTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-models-cli-" + Guid.NewGuid().ToString("N"));
    readonly FakeHub _hub = new();
    readonly Dictionary<string, string?> _saved;
    static readonly string[] Variables = { "HF_HOME", "HF_ENDPOINT", "HF_TOKEN", "HF_HUB_CACHE", "HF_HUB_OFFLINE", "MLNET_EMBEDDINGS_CACHE" };

    public ModelsCommandTests()
    {
        string model = Path.Combine(_dir, "model");
        var vocab = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "rain", "sales", "grow", "weather", "the" };
        var config = new BertConfig { VocabSize = vocab.Count, HiddenSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 64, MaxPositionEmbeddings = 32 };
        new SentenceEncoder(WordPieceTokenizer.FromVocabulary(vocab), BertBackbone.Create(config, seed: 1), new SentenceEncoderConfig { Normalize = true, MaxSeqLength = 32 }).Save(model);
        _hub.AddFolder("cli-org/tiny", model);
        _saved = Variables.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        foreach (var n in Variables) Environment.SetEnvironmentVariable(n, null);
        Environment.SetEnvironmentVariable("HF_HOME", Path.Combine(_dir, "hf"));
        Environment.SetEnvironmentVariable("HF_ENDPOINT", _hub.Endpoint);
        Environment.SetEnvironmentVariable("MLNET_EMBEDDINGS_CACHE", Path.Combine(_dir, "cache"));
    }

    public void Dispose()
    {
        foreach (var (n, v) in _saved) Environment.SetEnvironmentVariable(n, v);
        _hub.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Download_then_list_then_use_the_name_offline()
    {
        var (code, output, error) = ConsoleRun.Cli("models", "download", "cli-org/tiny");
        Assert.True(code == 0, error);
        string snapshots = Path.Combine(_dir, "hf", "hub", "models--cli-org--tiny", "snapshots");
        string commit = Path.GetFileName(Assert.Single(Directory.GetDirectories(snapshots)));
        Assert.Equal($"hf\tcli-org/tiny\t{commit}\t{Path.Combine(snapshots, commit)}", output.Trim());
        Assert.Contains("model.safetensors", error); // progress on stderr

        (code, output, error) = ConsoleRun.Cli("models", "list");
        Assert.True(code == 0, error);
        var lines = output.Trim().Split('\n');
        Assert.Equal("source\tid\trevision\tsize\tpath", lines[0]);
        var row = Assert.Single(lines, l => l.StartsWith("hf\tcli-org/tiny\t")).Split('\t');
        Assert.Equal($"main ({commit})", row[2]);
        Assert.EndsWith("KB", row[3]);
        Assert.Equal(Path.Combine(snapshots, commit), row[4]);

        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "1");
        int before = _hub.Log.Count;
        string corpus = Path.Combine(_dir, "corpus.txt");
        File.WriteAllLines(corpus, new[] { "the rain", "sales grow" });
        (code, output, error) = ConsoleRun.Cli("similarity", "--model", "cli-org/tiny", "--query", "weather", "--corpus", corpus, "--top", "2");
        Assert.True(code == 0, error);
        Assert.Contains("the rain", output);
        Assert.Equal(before, _hub.Log.Count);
    }

    [Fact]
    public void A_name_with_nothing_cached_offline_fails_saying_how_to_prefetch()
    {
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "1");
        string corpus = Path.Combine(_dir, "corpus.txt");
        Directory.CreateDirectory(_dir);
        File.WriteAllLines(corpus, new[] { "the rain" });
        var (code, _, error) = ConsoleRun.Cli("similarity", "--model", "cli-org/tiny", "--query", "weather", "--corpus", corpus);
        Assert.NotEqual(0, code);
        Assert.Contains("mlnet-embed models download cli-org/tiny", error);
        Assert.Empty(_hub.Log);
    }
}
