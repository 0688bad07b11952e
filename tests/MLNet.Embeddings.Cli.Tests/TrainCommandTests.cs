using MLNet.Embeddings.Cli.Commands;
using MLNet.Embeddings.Training.Losses;

namespace MLNet.Embeddings.Cli.Tests;

[Collection("Console")] // parse errors print help to Console.Out, which other tests redirect
public class TrainCommandTests
{
    [Theory]
    [InlineData("mnrl", "mnrl")]
    [InlineData("cached-mnrl", "cached-mnrl")]
    [InlineData("mnrl-symmetric", "mnrl-symmetric")]
    [InlineData("cosine", "cosine")]
    [InlineData("cosent", "cosent")]
    [InlineData("triplet", "triplet")]
    [InlineData("contrastive", "contrastive")]
    [InlineData("simcse", "simcse")]
    [InlineData("distill", "distill")]
    public void EveryDocumentedLossNameBuildsThatLoss(string cli, string name) =>
        Assert.Equal(name, TrainCommand.CreateLoss(cli, null, null, cli == "cached-mnrl" ? 8 : null, null).Name);

    [Fact]
    public void LossSettingsArePassedThrough()
    {
        Assert.Equal(2f, Assert.IsType<TripletLoss>(TrainCommand.CreateLoss("triplet", null, 2f, null, null)).Margin);
        Assert.Equal(5f, Assert.IsType<TripletLoss>(TrainCommand.CreateLoss("triplet", null, null, null, null)).Margin);
        Assert.Equal(8, Assert.IsType<CachedMultipleNegativesRankingLoss>(TrainCommand.CreateLoss("cached-mnrl", 10f, null, 8, null)).MiniBatchSize);
        var m = Assert.IsType<MatryoshkaLoss>(TrainCommand.CreateLoss("mnrl", null, null, null, "32, 16,8"));
        Assert.Equal(new[] { 32, 16, 8 }, m.Dimensions);
    }

    [Fact]
    public void UnknownLossIsAConfigurationError()
    {
        var ex = Assert.Throws<ConfigurationException>(() => TrainCommand.CreateLoss("nope", null, null, null, null));
        Assert.Contains("mnrl", ex.Message);
    }

    [Fact]
    public void EveryLossTheCliListsBuildsThroughTheLossFactory()
    {
        Assert.Equal(15, TrainCommand.LossNames.Count);
        Assert.Same(LossFactory.Names, TrainCommand.LossNames); // one table
        foreach (var name in TrainCommand.LossNames)
        {
            Assert.Equal(name, LossFactory.Create(name).Name);
            Assert.Equal(name, TrainCommand.CreateLoss(name, null, null, null, null).Name);
            if (LossFactory.Create(name) is ITrainableLoss) // a classifier on one embedding size: no Matryoshka
                Assert.Throws<ConfigurationException>(() => LossFactory.Create(name, new LossOptions { MatryoshkaDimensions = [16, 8] }));
            else
                Assert.Equal(name, Assert.IsType<MatryoshkaLoss>(LossFactory.Create(name, new LossOptions { MatryoshkaDimensions = [16, 8] })).Inner.Name);
        }
        Assert.Equal(7f, Assert.IsType<CoSentLoss>(LossFactory.Create("cosent", new LossOptions { Scale = 7 })).Scale);
        Assert.Equal(7f, Assert.IsType<DistillKLDivLoss>(LossFactory.Create("distill", new LossOptions { Scale = 7 })).Scale);
        Assert.Equal(0.25f, Assert.IsType<OnlineContrastiveLoss>(LossFactory.Create("online-contrastive", new LossOptions { Margin = 0.25f })).Margin);
        Assert.Equal(20f, Assert.IsType<MultipleNegativesRankingLoss>(LossFactory.Create("mnrl")).Scale); // unset: the loss's own default
    }

    [Fact]
    public void UnknownLossNameListsEveryValidOneAndCliErrorsNameTheOption()
    {
        var ex = Assert.Throws<ConfigurationException>(() => LossFactory.Create("nope"));
        foreach (var name in LossFactory.Names) Assert.Contains(name, ex.Message);
        Assert.Contains("'nope'", ex.Message);
        Assert.Equal("--loss", Assert.Throws<ConfigurationException>(() => TrainCommand.CreateLoss("nope", null, null, null, null)).Setting);
        Assert.Equal("--mini-batch", Assert.Throws<ConfigurationException>(() => TrainCommand.CreateLoss("mnrl", null, null, 8, null)).Setting);
        Assert.Equal(nameof(LossOptions.MiniBatchSize), Assert.Throws<ConfigurationException>(() => LossFactory.Create("triplet", new LossOptions { MiniBatchSize = 8 })).Setting);
    }

    [Fact]
    public void MissingRequiredOptionsFail() =>
        Assert.NotEqual(0, CliApp.Run(new[] { "train", "--model", "x" }));

    [Fact]
    public void MissingTrainingFileFails()
    {
        string dir = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));
        Assert.NotEqual(0, CliApp.Run(new[] { "train", "--model", dir, "--train", Path.Combine(dir, "none.jsonl"), "--output", dir }));
    }
}
