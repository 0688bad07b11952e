namespace MLNet.Embeddings.Cli.Tests;

/// <summary>A missing input file is reported as <c>error: --option: file not found: path</c>, naming the option.</summary>
[Collection("Console")]
public sealed class MissingFileTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cli-missing-").FullName;
    readonly string _rows, _vectors, _missing;

    public MissingFileTests()
    {
        _rows = Path.Combine(_dir, "rows.jsonl");
        File.WriteAllText(_rows, "{\"query\": \"the cat\", \"pos\": [\"cat sat\"]}\n{\"query\": \"dog\", \"pos\": [\"the mat\"]}\n");
        _vectors = Path.Combine(_dir, "words.vec");
        File.WriteAllText(_vectors, "3 2\nthe 0.1 0.2\ncat 1 0\ndog 0 1\n");
        _missing = Path.Combine(_dir, "missing.jsonl");
    }

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    public static TheoryData<string, string[]> Cases => new()
    {
        { "--train", ["train", "--model", "{dir}", "--train", "{missing}", "--output", "{dir}/out"] },
        { "--eval", ["train", "--model", "{dir}", "--train", "{rows}", "--output", "{dir}/out", "--eval", "{missing}"] },
        { "--data", ["eval", "--model", "{vectors}", "--data", "{missing}"] },
        { "--input", ["embed", "--model", "{vectors}", "--input", "{missing}"] },
        { "--corpus", ["similarity", "--model", "{vectors}", "--query", "cat", "--corpus", "{missing}"] },
        { "--input", ["tokenize", "--model", "{vectors}", "--input", "{missing}"] },
        { "--input", ["plot", "--model", "{vectors}", "--input", "{missing}", "--label-column", "l", "--output", "{dir}/p.svg"] },
        { "--log", ["plot-curves", "--log", "{missing}", "--output", "{dir}/c.svg"] },
        { "--input", ["data", "validate", "--input", "{missing}"] },
        { "--input", ["data", "import", "--input", "{missing}", "--output", "{dir}/o.jsonl", "--query-column", "q", "--pos-column", "p"] },
        { "--input", ["data", "clean", "--input", "{missing}"] },
        { "--input", ["data", "split", "--input", "{missing}", "--output-dir", "{dir}/split"] },
        { "--input", ["data", "expand", "--input", "{missing}", "--output", "{dir}/o.jsonl"] },
        { "--corpus", ["data", "mine", "--input", "{rows}", "--output", "{dir}/o.jsonl", "--corpus", "{missing}"] },
        { "--thesaurus", ["data", "augment", "--input", "{rows}", "--output", "{dir}/o.jsonl", "--thesaurus", "{missing}"] },
        { "--files", ["data", "leakage", "--files", "{rows}", "{missing}"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MissingFileNamesTheOption(string option, string[] args)
    {
        var resolved = args.Select(a => a.Replace("{dir}", _dir).Replace("{rows}", _rows).Replace("{vectors}", _vectors).Replace("{missing}", _missing)).ToArray();
        var (code, _, stderr) = ConsoleRun.Cli(resolved);
        Assert.NotEqual(0, code);
        Assert.Equal($"error: {option}: file not found: {_missing}", stderr.Trim());
    }

    [Fact]
    public void MissingModelNamesTheOption()
    {
        var model = Path.Combine(_dir, "no-model");
        var input = Path.Combine(_dir, "in.txt");
        File.WriteAllText(input, "the cat\n");
        var (code, _, stderr) = ConsoleRun.Cli("embed", "--model", model, "--input", input);
        Assert.NotEqual(0, code);
        Assert.Equal($"error: --model: no such file or folder: {model}", stderr.Trim());
    }
}
