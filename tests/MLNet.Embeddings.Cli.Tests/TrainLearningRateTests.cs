using MLNet.Embeddings.Models;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary><c>train</c> on a static (word-vector) model: the peak learning rate defaults to the static default, and --lr overrides it.</summary>
[Collection("Console")]
public sealed class TrainLearningRateTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cli-train-lr-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Theory]
    [InlineData(null)]
    [InlineData("0.003")]
    public void StaticModelDefaultsTo5eMinus2UnlessLrIsGiven(string? lr)
    {
        var vectors = Path.Combine(_dir, "words.vec");
        File.WriteAllText(vectors, "6 3\ncat 1 0 0\ndog 0 1 0\nsat 0 0 1\nmat 1 1 0\nran 0 1 1\nsun 1 0 1\n");
        var train = Path.Combine(_dir, "train.jsonl");
        File.WriteAllLines(train, ["{\"anchor\": \"cat\", \"positive\": \"mat\"}", "{\"anchor\": \"dog\", \"positive\": \"ran\"}",
            "{\"anchor\": \"sat\", \"positive\": \"sun\"}", "{\"anchor\": \"mat\", \"positive\": \"cat\"}"]);
        var output = Path.Combine(_dir, "out");
        var args = new List<string> { "train", "--model", vectors, "--train", train, "--output", output, "--loss", "mnrl", "--max-steps", "2", "--batch-size", "2" };
        if (lr is not null) args.AddRange(["--lr", lr]);
        var (code, _, stderr) = ConsoleRun.Cli([.. args]);
        Assert.True(code == 0, stderr);
        var card = ModelCard.Read(output) ?? throw new Xunit.Sdk.XunitException("no model card in " + output);
        double used = card.Hyperparameters["learning_rate"]!.GetValue<double>();
        double expected = lr is null ? TrainerOptions.DefaultStaticLearningRate : 0.003;
        Assert.Equal(expected, used, 1e-7);
        Assert.NotEqual(TrainerOptions.DefaultLearningRate, (float)used);
    }
}
