using System.Text.Json;

namespace MLNet.Embeddings.Cli.Tests;

[Collection("Console")]
public sealed class EmbedCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cli-embed-").FullName;
    readonly string _vectors;

    public EmbedCommandTests()
    {
        _vectors = Path.Combine(_dir, "words.vec");
        File.WriteAllText(_vectors, "5 3\nthe 0.1 0.2 0.3\ncat 1 0 -1\nsat 0.5 0.5 0.5\nmat -1 2 0.25\ndog 0.9 0.1 -0.8\n");
    }

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static (int Code, string Out, string Err) Run(params string[] args) => ConsoleRun.Cli(args);

    static List<(int Index, float[] Embedding)> ParseJsonl(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            return (doc.RootElement.GetProperty("index").GetInt32(),
                doc.RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray());
        }).ToList();

    string Put(string name, string content) { var p = Path.Combine(_dir, name); File.WriteAllText(p, content); return p; }

    [Fact]
    public void WithoutNormalizeFlagTheFoldersNormalizeModuleApplies()
    {
        var model = SentenceEncoder.Load(_vectors);
        model.Config.Normalize = true;
        var folder = Path.Combine(_dir, "normalized-model");
        model.Save(folder);
        var input = Put("n.txt", "the cat sat\ndog mat\n");
        var (code, output, error) = Run("embed", "--model", folder, "--input", input);
        Assert.True(code == 0, error);
        foreach (var (_, embedding) in ParseJsonl(output))
            Assert.Equal(1.0, Math.Sqrt(embedding.Sum(x => (double)x * x)), 5);
    }

    [Fact]
    public void EmbedsTxtToStdoutInInputOrderMatchingTheLibrary()
    {
        var texts = new[] { "the cat sat on the mat", "", "dog", "cat cat cat", "unknown" };
        var input = Put("in.txt", string.Join('\n', texts) + "\n");
        var (code, stdout, stderr) = Run("embed", "--model", _vectors, "--input", input, "--batch-size", "2");
        Assert.True(code == 0, stderr);
        var rows = ParseJsonl(stdout);
        Assert.Equal(Enumerable.Range(0, texts.Length), rows.Select(r => r.Index));
        var expected = SentenceEncoder.Load(_vectors).Encode(texts);
        for (int i = 0; i < texts.Length; i++) Assert.Equal(expected[i], rows[i].Embedding);
    }

    [Fact]
    public void JsonlAndCsvWithTextColumnToOutputFile()
    {
        var jsonl = Put("in.jsonl", "{\"id\": 1, \"body\": \"the cat\"}\n\n{\"id\": 2, \"body\": \"dog sat\"}\n");
        var csv = Put("in.csv", "id,body\n1,\"the cat\"\n2,\"dog sat\"\n");
        var expected = SentenceEncoder.Load(_vectors).Encode(new[] { "the cat", "dog sat" }, new EncodeOptions { Normalize = true });
        foreach (var input in new[] { jsonl, csv })
        {
            var output = Path.Combine(_dir, "out", Path.GetFileName(input) + ".jsonl");
            var (code, stdout, stderr) = Run("embed", "--model", _vectors, "--input", input, "--text-column", "body", "--normalize", "--output", output);
            Assert.True(code == 0, stderr);
            Assert.Equal("", stdout);
            var rows = ParseJsonl(File.ReadAllText(output));
            Assert.Equal(2, rows.Count);
            Assert.Equal(expected[0], rows[0].Embedding);
            Assert.Equal(expected[1], rows[1].Embedding);
            Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "out"), "*.tmp"));
        }
    }

    [Fact]
    public void PoolingOverrideAndDimensions()
    {
        var input = Put("in.txt", "the cat sat\n");
        var (code, stdout, _) = Run("embed", "--model", _vectors, "--input", input, "--pooling", "max", "--dimensions", "2");
        Assert.Equal(0, code);
        var row = ParseJsonl(stdout).Single();
        Assert.Equal(new[] { 1f, 0.5f }, row.Embedding); // max of (0.1,1,0.5) and (0.2,0,0.5)
    }

    [Fact]
    public void ErrorsExitNonZeroWithAMessage()
    {
        var jsonl = Put("bad.jsonl", "{\"text\": \"ok\"}\n{\"other\": 1}\n");
        var (code, _, stderr) = Run("embed", "--model", _vectors, "--input", jsonl);
        Assert.NotEqual(0, code);
        Assert.Contains("bad.jsonl:2", stderr);
        Assert.Contains("text", stderr);

        var csv = Put("bad.csv", "id,body\n1,x\n");
        (code, _, stderr) = Run("embed", "--model", _vectors, "--input", csv);
        Assert.NotEqual(0, code);
        Assert.Contains("'body'", stderr);

        var txt = Put("ok.txt", "a\n");
        (code, _, stderr) = Run("embed", "--model", _vectors, "--input", txt, "--pooling", "median");
        Assert.NotEqual(0, code);
        Assert.Contains("median", stderr);

        (code, _, stderr) = Run("embed", "--model", _vectors, "--input", txt, "--prompt", "q: ", "--prompt-name", "query");
        Assert.NotEqual(0, code);

        (code, _, stderr) = Run("embed", "--model", Path.Combine(_dir, "missing-model"), "--input", txt);
        Assert.NotEqual(0, code);
        Assert.Contains("missing-model", stderr);

        var output = Path.Combine(_dir, "never.jsonl");
        (code, _, _) = Run("embed", "--model", Path.Combine(_dir, "missing-model"), "--input", txt, "--output", output);
        Assert.NotEqual(0, code);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void CsvQuoteErrorNamesFileAndLineOnce()
    {
        var csv = Put("quote.csv", "text\nok\n\"open\n");
        var (code, _, stderr) = Run("embed", "--model", _vectors, "--input", csv);
        Assert.NotEqual(0, code);
        Assert.Equal($"error: {csv}:3: quoted field not closed before the end of the file", stderr.Trim());
    }

    [Theory]
    [InlineData("--dimensions", "0", "must be between 1 and 3")]
    [InlineData("--dimensions", "9", "must be between 1 and 3")]
    [InlineData("--max-length", "0", "must be at least 1")]
    [InlineData("--batch-size", "0", "must be at least 1")]
    [InlineData("--prompt-name", "nope", "nope")]
    public void OptionErrorsNameTheFlagNotTheProperty(string flag, string value, string detail)
    {
        var input = Put("flags.txt", "the cat\n");
        var (code, _, stderr) = Run("embed", "--model", _vectors, "--input", input, flag, value);
        Assert.NotEqual(0, code);
        Assert.StartsWith($"error: {flag}: ", stderr);
        Assert.Contains(detail, stderr);
        foreach (var property in new[] { "Dimensions", "MaxLength", "BatchSize", "PromptName" }) Assert.DoesNotContain(property, stderr);
    }

    [Fact]
    public void SimilarityNamesTheQueryPromptFlagItWasGiven()
    {
        var corpus = Put("c.txt", "dog\ncat\n");
        var (code, _, stderr) = Run("similarity", "--model", _vectors, "--query", "cat", "--corpus", corpus, "--query-prompt-name", "nope");
        Assert.NotEqual(0, code);
        Assert.StartsWith("error: --query-prompt-name: ", stderr);
    }

    [Fact]
    public void SimilarityRanksCorpus()
    {
        var corpus = Put("corpus.txt", "dog\nthe mat\ncat sat\nthe cat\n");
        var (code, stdout, stderr) = Run("similarity", "--model", _vectors, "--query", "cat", "--corpus", corpus, "--top", "3");
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        var encoder = SentenceEncoder.Load(_vectors);
        var q = encoder.Encode("cat");
        var texts = File.ReadAllLines(corpus);
        var expected = texts.Select((t, i) => (i, s: encoder.Similarity(q, encoder.Encode(t)))).OrderByDescending(x => x.s).ThenBy(x => x.i).Take(3).ToList();
        for (int r = 0; r < 3; r++)
        {
            var parts = lines[r].Split('\t');
            Assert.Equal((r + 1).ToString(), parts[0]);
            Assert.Equal(expected[r].s, float.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), 5);
            Assert.Equal(expected[r].i.ToString(), parts[2]);
            Assert.Equal(texts[expected[r].i], parts[3]);
        }
        (code, stdout, _) = Run("similarity", "--model", _vectors, "--query", "cat", "--corpus", corpus, "--top", "50");
        Assert.Equal(0, code);
        Assert.Equal(4, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void EmbedWithBertFixtureFolder()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "MLNet.Embeddings.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
        var model = Path.Combine(root, "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
        Assert.True(Directory.Exists(model), $"BERT fixture missing: {model}");
        var input = Put("bert.txt", "the quick brown fox\nhello world\n");
        var (code, stdout, stderr) = Run("embed", "--model", model, "--input", input, "--pooling", "cls", "--normalize");
        Assert.True(code == 0, stderr);
        var rows = ParseJsonl(stdout);
        var encoder = SentenceEncoder.Load(model);
        var expected = encoder.Encode(new[] { "the quick brown fox", "hello world" }, new EncodeOptions { Normalize = true, Pooling = Pooling.PoolingMode.Cls });
        Assert.Equal(expected[0], rows[0].Embedding);
        Assert.Equal(expected[1], rows[1].Embedding);
        Assert.Equal(32, rows[0].Embedding.Length);
    }

    [Fact]
    public void EmptyInputWritesAnEmptyOutputAndSaysZeroTexts()
    {
        var input = Put("empty.txt", "");
        var output = Path.Combine(_dir, "empty-out.jsonl");
        var (code, stdout, stderr) = Run("embed", "--model", _vectors, "--input", input, "--output", output);
        Assert.True(code == 0, stderr);
        Assert.Equal("", stdout);
        Assert.Contains("0 texts", stderr);
        Assert.True(File.Exists(output));
        Assert.Equal(0, new FileInfo(output).Length);
    }

    [Fact]
    public void OutOfRangePortIsAOneLineError()
    {
        var (code, _, stderr) = Run("serve", "--model", _vectors, "--port", "99999");
        Assert.Equal(1, code);
        Assert.Equal("error: --port: must be between 0 and 65535, found 99999.", stderr.Trim());
    }

    [Fact]
    public void ShardsResumeAndInt8FromTheCommandLine()
    {
        var input = Put("many.jsonl", string.Concat(Enumerable.Range(0, 50).Select(i => $"{{\"id\": \"k{i}\", \"text\": \"{(i % 2 == 0 ? "the cat" : "dog sat mat")} {i}\"}}\n")));
        var whole = Path.Combine(_dir, "whole.jsonl");
        Assert.Equal(0, Run("embed", "--model", _vectors, "--input", input, "--output", whole, "--id-column", "id", "--window", "7").Code);
        var shards = Enumerable.Range(0, 3).Select(i => Path.Combine(_dir, $"s{i}.jsonl")).ToArray();
        for (int i = 0; i < 3; i++)
            Assert.Equal(0, Run("embed", "--model", _vectors, "--input", input, "--output", shards[i], "--id-column", "id", "--shard", $"{i}/3", "--window", "7").Code);
        var merged = Path.Combine(_dir, "merged.jsonl");
        var (code, _, stderr) = Run(new[] { "merge", "--output", merged, "--inputs" }.Concat(shards).ToArray());
        Assert.True(code == 0, stderr);
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(merged));

        var int8 = Path.Combine(_dir, "int8.jsonl");
        (code, _, stderr) = Run("embed", "--model", _vectors, "--input", input, "--output", int8, "--precision", "int8");
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(int8 + ".calibration.json"));
        var codes = File.ReadLines(int8).SelectMany(l => JsonDocument.Parse(l).RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetInt32())).ToList();
        Assert.All(codes, c => Assert.InRange(c, -128, 127));
        Assert.Contains(-128, codes); // the calibration minimum maps to -128
    }
}
