using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.ML.Tests;

public sealed class FineTuneTests
{
    public sealed class Labelled
    {
        public string Text { get; set; } = "";
        public string Label { get; set; } = "";
    }

    static Labelled[] Topics()
    {
        string[] money = ["bank", "dividend", "revenue", "profit", "stock", "market", "interest", "loan", "tax", "price"];
        string[] sport = ["team", "game", "player", "match", "coach", "season", "goal", "score", "league", "win"];
        var rng = new Random(5);
        return Enumerable.Range(0, 80).Select(i =>
        {
            var words = i % 2 == 0 ? money : sport;
            return new Labelled { Text = string.Join(" ", Enumerable.Range(0, 4).Select(_ => words[rng.Next(words.Length)])), Label = i % 2 == 0 ? "finance" : "sports" };
        }).ToArray();
    }

    [Theory]
    [InlineData(EmbeddingLoss.CosineSimilarity)]
    [InlineData(EmbeddingLoss.MultipleNegativesRanking)]
    [InlineData(EmbeddingLoss.Triplet)]
    [InlineData(EmbeddingLoss.BatchHardTriplet)]
    public void LabelledModeTrainsThenFeedsAClassifier(EmbeddingLoss loss)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Topics());
        var messages = new List<string>();
        ml.Log += (_, e) => { if (e.Source.Contains("FineTuneEmbedding")) lock (messages) messages.Add(e.Message); };
        string output = Path.Combine(TestData.TempDir(), "tuned");
        var steps = new List<TrainingProgress>();
        var pipeline = ml.Transforms.FineTuneEmbedding(new FineTuneEmbeddingOptions
            {
                BaseModelPath = TestData.Glove, AnchorColumnName = "Text", LabelColumnName = "Label", Loss = loss,
                PairsPerRow = 2, OutputModelPath = output,
                Trainer = { Epochs = 1, BatchSize = 16, LearningRate = 0.02f, Seed = 3, EarlyStoppingPatience = 3, Progress = new Progress<TrainingProgress>(p => { lock (steps) steps.Add(p); }) },
                Columns = [new InputOutputColumnPair("Features", "Text")], Context = ml,
                ValidationData = data,
            })
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 20));
        var model = pipeline.Fit(data);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
        Assert.True(metrics.MicroAccuracy > 0.9, $"accuracy {metrics.MicroAccuracy}");
        Assert.Contains(messages, m => m.Contains("fine-tuning"));
        Assert.Contains(messages, m => m.Contains("tuned model written"));
        // the written folder is the tuned model: it embeds like the pipeline does
        var tuned = SentenceEncoder.Load(output);
        var texts = Topics().Select(t => t.Text).ToList();
        var viaPipeline = ((IEnumerable<ITransformer>)model).First().Transform(data).GetColumn<float[]>("Features").ToArray();
        var direct = tuned.Encode(texts);
        for (int i = 0; i < texts.Count; i++) Assert.Equal(direct[i], viaPipeline[i]);
        var baseModel = SentenceEncoder.Load(TestData.Glove).Encode(texts);
        Assert.Contains(Enumerable.Range(0, texts.Count), i => !direct[i].SequenceEqual(baseModel[i]));
    }

    [Fact]
    public void CancellationStopsTrainingAndWritesNothing()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Topics());
        using var cts = new CancellationTokenSource();
        string output = Path.Combine(TestData.TempDir(), "never");
        var est = ml.Transforms.FineTuneEmbedding(new FineTuneEmbeddingOptions
        {
            BaseModelPath = TestData.Glove, AnchorColumnName = "Text", LabelColumnName = "Label", Loss = EmbeddingLoss.CosineSimilarity,
            OutputModelPath = output, CancellationToken = cts.Token,
            Trainer = { Epochs = 3, BatchSize = 4, LearningRate = 0.02f, Progress = new SyncProgress(p => { if (p.Step == 2) cts.Cancel(); }) },
        });
        Assert.ThrowsAny<OperationCanceledException>(() => est.Fit(data));
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void MissingTrainingColumnNamesIt()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(Topics());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.FineTuneEmbedding(new FineTuneEmbeddingOptions
        {
            BaseModelPath = TestData.Glove, AnchorColumnName = "Text", PositiveColumnName = "Positive", Columns = [new InputOutputColumnPair("F", "Text")],
        }).Fit(data));
        Assert.Contains("'Positive'", ex.Message);
        Assert.Contains("'Label'", ex.Message);
    }

    [Fact]
    public void TorchSharpBackendWithoutRegistrationAndCudaOnTheManagedEngineSayWhy()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(Topics());
        FineTuneEmbeddingOptions Options() => new()
        {
            BaseModelPath = TestData.TinyBert, AnchorColumnName = "Text", LabelColumnName = "Label", Loss = EmbeddingLoss.CosineSimilarity, Trainer = { Epochs = 1, BatchSize = 8 },
        };
        Assert.False(TrainingEngines.IsAvailable(TrainingBackend.TorchSharp)); // this project does not reference MLNet.Embeddings.TorchSharp
        var o = Options();
        o.Trainer.Backend = TrainingBackend.TorchSharp;
        var ex = Assert.Throws<ConfigurationException>(() => ml.Transforms.FineTuneEmbedding(o).Fit(data));
        Assert.Contains("TorchSharpBackend.Register()", ex.Message);
        Assert.Equal("Backend", ex.Setting);
        var o2 = Options();
        o2.Trainer.Device = "cuda";
        var ex2 = Assert.Throws<ConfigurationException>(() => ml.Transforms.FineTuneEmbedding(o2).Fit(data));
        Assert.Contains("cuda", ex2.Message);
    }

    sealed class SyncProgress(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
