using Xunit.Abstractions;
using DocumentsToModelExample;
using MLNet.Embeddings.Cli.Tests.Generation;
using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Examples.Tests;

/// <summary>The chain from documents only (generate → filter → mine → split → train → eval) with its defaults against
/// the loopback chat server, on the first financial-qa-10K contexts (150, or DOCUMENTS_TO_MODEL_LIMIT).</summary>
public sealed class DocumentsToModelExampleTests(ITestOutputHelper output)
{
    static readonly int Limit = int.Parse(Environment.GetEnvironmentVariable("DOCUMENTS_TO_MODEL_LIMIT") ?? "150", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task ChainRunsWithDefaultsFromPassagesToAnEvaluatedModel()
    {
        using var server = new FakeChatServer();
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-examples-tests", Guid.NewGuid().ToString("N"));
        var log = new StringWriter();
        var result = await DocumentsToModelJob.RunAsync(new DocumentsToModelOptions { Endpoint = server.Url, LlmModel = "fake-llm", Limit = Limit, OutDir = dir }, log);
        output.WriteLine(log.ToString());
        output.WriteLine(System.Text.Json.JsonSerializer.Serialize(result.Generation));

        var g = result.Generation;
        Assert.Equal(Limit, g.Requests);
        Assert.True(g.Rows > Limit, log.ToString());
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
