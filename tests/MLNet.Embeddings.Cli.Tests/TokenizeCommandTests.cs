using System.Text.Json;
using MLNet.Embeddings.Tokenization.WordPiece;

namespace MLNet.Embeddings.Cli.Tests;

[Collection("Console")]
public sealed class TokenizeCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-cli-tok-" + Guid.NewGuid().ToString("N"));
    private readonly string _model;

    public TokenizeCommandTests()
    {
        Directory.CreateDirectory(_dir);
        _model = Path.Combine(_dir, "model");
        WordPieceTokenizer.FromVocabulary(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", ",", "un", "##aff", "##able"])
            .Save(_model);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private List<(int Index, int[] Ids)> Run(string input, params string[] extra)
    {
        string output = Path.Combine(_dir, "out.jsonl");
        int rc = CliApp.Run(["tokenize", "--model", _model, "--input", input, "--output", output, .. extra]);
        Assert.Equal(0, rc);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
        return File.ReadAllLines(output).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return (doc.RootElement.GetProperty("index").GetInt32(), doc.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        }).ToList();
    }

    [Fact]
    public void TokenizesEachLineOfATextFile()
    {
        string input = Path.Combine(_dir, "in.txt");
        File.WriteAllText(input, "Hello, world\n\nunaffable\n");
        var rows = Run(input);
        Assert.Equal(3, rows.Count);
        Assert.Equal([0, 1, 2], rows.Select(r => r.Index));
        Assert.Equal([2, 5, 7, 6, 3], rows[0].Ids);
        Assert.Equal([2, 3], rows[1].Ids);
        Assert.Equal([2, 8, 9, 10, 3], rows[2].Ids);
    }

    [Fact]
    public void ReadsJsonlAndCsvTextFields()
    {
        string jsonl = Path.Combine(_dir, "in.jsonl");
        File.WriteAllText(jsonl, "{\"text\": \"hello\", \"id\": 1}\n\n{\"text\": \"world, hello\"}\n");
        Assert.Equal([[2, 5, 3], [2, 6, 7, 5, 3]], Run(jsonl).Select(r => r.Ids));
        string csv = Path.Combine(_dir, "in.csv");
        File.WriteAllText(csv, "id,text\n1,\"hello, world\"\n2,\"multi\nline hello\"\n");
        Assert.Equal([[2, 5, 7, 6, 3], [2, 1, 1, 5, 3]], Run(csv).Select(r => r.Ids));
    }

    [Fact]
    public void TruncatesToTheModelMaxLength()
    {
        string input = Path.Combine(_dir, "in.txt");
        File.WriteAllText(input, "hello world hello world hello\n");
        File.WriteAllText(Path.Combine(_model, "sentence_bert_config.json"), "{\"max_seq_length\": 4, \"do_lower_case\": false}");
        Assert.Equal([2, 5, 6, 3], Run(input)[0].Ids);
        Assert.Equal([2, 5, 3], Run(input, "--max-length", "3")[0].Ids);
    }

    [Fact]
    public void WordVectorFileAsModelAndOutputIntoAMissingFolder()
    {
        string vectors = Path.Combine(_dir, "words.vec");
        File.WriteAllText(vectors, "3 2\nthe 0.1 0.2\ncat 1 0\nsat 0.5 0.5\n");
        string input = Path.Combine(_dir, "in.txt");
        File.WriteAllText(input, "the cat sat\n");
        string output = Path.Combine(_dir, "new", "folder", "ids.jsonl");
        var (code, _, err) = ConsoleRun.Cli("tokenize", "--model", vectors, "--input", input, "--output", output);
        Assert.True(code == 0, err);
        var ids = SentenceEncoder.Load(vectors).Tokenizer.Encode("the cat sat", 512).Ids;
        Assert.Equal(3, ids.Length);
        using var doc = JsonDocument.Parse(Assert.Single(File.ReadAllLines(output)));
        Assert.Equal(ids, doc.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(output)!, "*.tmp"));
    }

    [Fact]
    public void MissingColumnOrFileFails()
    {
        string csv = Path.Combine(_dir, "in.csv");
        File.WriteAllText(csv, "id,sentence\n1,hello\n");
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try
        {
            Assert.NotEqual(0, CliApp.Run(["tokenize", "--model", _model, "--input", csv]));
            Assert.NotEqual(0, CliApp.Run(["tokenize", "--model", Path.Combine(_dir, "nope"), "--input", csv]));
        }
        finally { Console.SetError(old); }
        Assert.Contains("text", err.ToString());
    }
}
