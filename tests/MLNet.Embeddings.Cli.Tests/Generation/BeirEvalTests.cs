using System.Text.Json;
using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Cli.Tests.Generation;

/// <summary><c>eval --data FOLDER</c> on the BEIR layout gives the metrics of the same judgements as query/pos rows.</summary>
[Collection("Console")]
public sealed class BeirEvalTests
{
    [Fact]
    public void BeirFolderScoresLikeTheSameRowsAsJsonl()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "MLNet.Embeddings.sln"))) root = Path.GetDirectoryName(root)!;
        string model = Path.Combine(root, "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
        string dir = GenerationFixture.TempDir();
        var passages = GenerationFixture.Passages(15);
        var queries = passages.Select((p, i) => FakeChatServer.Answer($"Write 1 query\nPassage:\n<<<\n{p}\n>>>")[0]).ToList();
        string beir = Path.Combine(dir, "beir");
        Directory.CreateDirectory(Path.Combine(beir, "qrels"));
        File.WriteAllLines(Path.Combine(beir, "corpus.jsonl"), passages.Select((p, i) => JsonSerializer.Serialize(new { _id = $"d{i}", title = "", text = p })));
        File.WriteAllLines(Path.Combine(beir, "queries.jsonl"), queries.Select((q, i) => JsonSerializer.Serialize(new { _id = $"q{i}", text = q })));
        File.WriteAllLines(Path.Combine(beir, "qrels", "test.tsv"), new[] { "query-id\tcorpus-id\tscore" }.Concat(queries.Select((_, i) => $"q{i}\td{i}\t1")).Append("q0\td5\t0"));
        string jsonl = Path.Combine(dir, "test.jsonl");
        TrainingDataWriter.WriteAll(jsonl, queries.Select((q, i) => new TrainingExample { Query = q, Pos = [passages[i]] }));

        var fromBeir = ConsoleRun.Cli("eval", "--model", model, "--data", beir);
        var fromRows = ConsoleRun.Cli("eval", "--model", model, "--data", jsonl);
        Assert.True(fromBeir.Code == 0, fromBeir.Err);
        Assert.True(fromRows.Code == 0, fromRows.Err);
        using var a = JsonDocument.Parse(fromBeir.Out);
        using var b = JsonDocument.Parse(fromRows.Out);
        Assert.True(a.RootElement.GetProperty("ndcg@10").GetDouble() > 0);
        foreach (var p in b.RootElement.EnumerateObject())
            Assert.Equal(p.Value.GetDouble(), a.RootElement.GetProperty(p.Name).GetDouble(), 6);

        File.AppendAllText(Path.Combine(beir, "qrels", "test.tsv"), "q1\tmissing\t1\n");
        var bad = ConsoleRun.Cli("eval", "--model", model, "--data", beir);
        Assert.Equal(1, bad.Code);
        Assert.Contains("test.tsv:18: field 'corpus-id'", bad.Err);
    }
}
