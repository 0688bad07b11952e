using System.Text.Json;
using MLNet.Embeddings.Backbones.Gemma3;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.TestSupport;

namespace MLNet.Embeddings.Training.Tests.Training;

/// <summary>
/// The trainer with the managed Gemma 3 backbone under EmbeddingGemma's head (mean pooling, two Dense modules, kept
/// frozen) against PyTorch: three MNRL AdamW steps on the embeddinggemma-shaped folder (tools/fixtures/make_gemma3_fixture.py).
/// </summary>
public class Gemma3TrainingTests
{
    [Fact]
    public void ThreeMnrlStepsMatchPyTorchAdamW()
    {
        string fixture = TestPaths.Fixture("training", "gemma3-mnrl");
        string folder = Path.Combine(TestPaths.RepoRoot(), "tests", "MLNet.Embeddings.Tests", "Fixtures", "gemma3", "embeddinggemma");
        using var steps = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture, "steps.json")));
        var model = SentenceEncoder.Load(folder);
        var backbone = Assert.IsType<Gemma3Backbone>(model.Backbone);
        var before = backbone.Parameters.ToDictionary(p => p.Name, p => p.Value.ToArray());
        var losses = new List<float>();
        var options = new TrainerOptions
        {
            MaxSteps = 3, BatchSize = 4, LearningRate = (float)steps.RootElement.GetProperty("lr").GetDouble(), Shuffle = false,
            Dropout = 0, WeightDecay = 0, WarmupRatio = 0, Progress = new SyncProgress(p => losses.Add(p.Loss)),
        };
        new SentenceEncoderTrainer(model, new MultipleNegativesRankingLoss(), options)
            .Fit(TrainingDataReader.Read(Path.Combine(fixture, "train.jsonl")));

        var expectedLosses = steps.RootElement.GetProperty("losses").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(expectedLosses.Length, losses.Count);
        for (int i = 0; i < losses.Count; i++) Assert.True(Math.Abs(losses[i] - expectedLosses[i]) < 1e-4, $"step {i + 1}: loss {losses[i]} vs torch {expectedLosses[i]}");
        float maxMove = AdamParity.AssertMatches(fixture, backbone.Parameters, options.LearningRate, steps.RootElement.GetProperty("steps").GetInt32(), before);
        Assert.True(maxMove > 1e-3f, $"the reference barely moved ({maxMove}); the comparison would prove nothing");
        // The Dense head is not among the trained parameters: its weights are as loaded.
        var loaded = SentenceEncoder.Load(folder);
        Assert.Equal(loaded.Config.Dense[0].Weight.Value, model.Config.Dense[0].Weight.Value);
    }
}
