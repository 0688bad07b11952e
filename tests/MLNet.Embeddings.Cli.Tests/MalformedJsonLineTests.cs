namespace MLNet.Embeddings.Cli.Tests;

/// <summary>
/// A JSONL file whose third line is not JSON: every command that reads it names <c>file:3</c> and says
/// "column N: invalid JSON", never System.Text.Json's contradictory "LineNumber: 0".
/// </summary>
[Collection("Console")]
public class MalformedJsonLineTests
{
    static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    static readonly string Model = Path.Combine(Root(), "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");

    public static TheoryData<string> Commands() => new() { "train", "eval", "embed", "data validate", "data import", "data mine", "data clean" };

    [Theory]
    [MemberData(nameof(Commands))]
    public void TheRealLineAndColumnAreNamed(string command)
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-badjson", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, "bad.jsonl");
        File.WriteAllLines(file, new[]
        {
            "{\"query\": \"a b\", \"pos\": [\"c d\"], \"text\": \"a b\"}",
            "{\"query\": \"e f\", \"pos\": [\"g h\"], \"text\": \"e f\"}",
            "{\"query\": \"i j\", pos: [\"k\"]}",
        });
        string output = Path.Combine(dir, "out");
        string[] args = command switch
        {
            "train" => ["train", "--model", Model, "--train", file, "--output", output, "--max-steps", "1"],
            "eval" => ["eval", "--model", Model, "--data", file],
            "embed" => ["embed", "--model", Model, "--input", file, "--output", output + ".jsonl"],
            "data validate" => ["data", "validate", "--input", file],
            "data import" => ["data", "import", "--input", file, "--query-column", "query", "--pos-column", "pos", "--output", output + ".jsonl"],
            "data mine" => ["data", "mine", "--input", file, "--output", output + ".jsonl"],
            "data clean" => ["data", "clean", "--input", file, "--output", output + ".jsonl"],
            _ => throw new ArgumentException(command),
        };
        var (code, stdout, stderr) = ConsoleRun.Cli(args);
        string all = stdout + stderr;
        // validate and import report as JSON ({"line": 3, "message": ...}); the others fail with "bad.jsonl:3: ..."
        Assert.Contains(command is "data validate" or "data import" ? "\"line\": 3" : "bad.jsonl:3: column 18: invalid JSON", all);
        Assert.Contains("column 18: invalid JSON: 'p' is an invalid start of a property name", all); // the 'p' of pos
        Assert.DoesNotContain("LineNumber", all);
        Assert.DoesNotContain("BytePositionInLine", all);
        if (command != "data import") Assert.NotEqual(0, code); // import skips bad rows and reports them
    }
}
