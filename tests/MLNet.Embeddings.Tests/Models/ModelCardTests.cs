using System.Text.Json.Nodes;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Tests.Models;

public sealed class ModelCardTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("card-tests-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    [Fact]
    public void WriteThenReadGivesTheSameFactsAndTheReadmeShowsThem()
    {
        var card = new ModelCard
        {
            CreatedUtc = "2026-12-03T10:00:00Z", BaseModel = "/models/base", Loss = "mnrl", Steps = 120, TrainingSeconds = 12.5,
            Evaluator = "val", PrimaryMetric = "ndcg@10",
            EvaluationBefore = new() { ["ndcg@10"] = 0.5 }, EvaluationAfter = new() { ["ndcg@10"] = 0.75 },
        };
        card.TrainingData.Add(new ModelCardDataset { Path = "train.jsonl", Rows = 5504, Sha256 = new string('a', 64) });
        card.LossParameters["scale"] = 20f;
        card.Hyperparameters["learning_rate"] = 0.05;
        card.Hyperparameters["schedule"] = "linear";
        card.Write(_dir);

        var back = ModelCard.Read(_dir)!;
        Assert.Equal(card.ToJson(), back.ToJson());
        Assert.Equal(5504, back.TrainingData[0].Rows);
        Assert.Equal(0.75, back.EvaluationAfter!["ndcg@10"]);
        var readme = File.ReadAllText(Path.Combine(_dir, ModelCard.ReadmeName));
        Assert.StartsWith("---\nlibrary_name: mlnet-embeddings\n", readme);
        Assert.Contains("base_model: \"/models/base\"", readme);
        Assert.Contains("| `train.jsonl` | 5504 | " + new string('a', 64) + " |", readme);
        Assert.Contains("| ndcg@10 | 0.5000 | 0.7500 |", readme);
        Assert.Contains("| schedule | linear |", readme);
        Assert.Null(ModelCard.Read(Path.Combine(_dir, "none")));
        File.WriteAllText(Path.Combine(_dir, ModelCard.FileName), "[1]");
        Assert.Equal(Path.Combine(_dir, ModelCard.FileName), Assert.Throws<ModelFormatException>(() => ModelCard.Read(_dir)).Path);
    }
}
