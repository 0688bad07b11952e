using DocumentsToModelExample;
using MLNet.Embeddings.Cli.Tests.Generation;
using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Examples.Tests;

/// <summary>The chain from documents only (generate → filter → mine → split → train → eval) with its defaults against
/// the loopback chat server, on the first financial-qa-10K contexts.</summary>
public sealed class DocumentsToModelExampleTests
{
    [Fact]
    public async Task ChainRunsWithDefaultsFromPassagesToAnEvaluatedModel()
    {
        using var server = new FakeChatServer();
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-examples-tests", Guid.NewGuid().ToString("N"));
        var log = new StringWriter();
        var result = await DocumentsToModelJob.RunAsync(new DocumentsToModelOptions { Endpoint = server.Url, LlmModel = "fake-llm", Limit = 150, OutDir = dir }, log);

        var g = result.Generation;
        Assert.Equal(150, g.Requests);
        Assert.True(g.Rows > 150, log.ToString());
        Assert.Equal(g.Generated, g.Kept + g.Dropped.Values.Sum());
        var generated = TrainingDataReader.Read(Path.Combine(dir, "generated.jsonl")).ToList();
        Assert.Equal(g.Rows, generated.Count);
        Assert.All(generated, r => Assert.Equal("fake-llm", r.Extra!["source"].GetProperty("model").GetString()));
        Assert.Equal(g.Rows, result.MinedRows);
        Assert.Equal(result.MinedRows, result.SplitRows.Sum());
        Assert.True(result.TrainRows > 0);
        Assert.True(File.Exists(Path.Combine(result.ModelDir, "metrics.jsonl")) || Directory.EnumerateFiles(result.ModelDir, "*", SearchOption.AllDirectories).Any());
        Assert.InRange(result.Before["ndcg@10"], 0.01, 1);
        Assert.InRange(result.After["ndcg@10"], 0.01, 1);
        Assert.Contains("eval: test ndcg@10", log.ToString());
    }
}
