using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Training;
using MLNet.Embeddings.Training.Losses;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>One source of truth per setting: the trainer's options, the loss table and pooling reach ML.NET unchanged.</summary>
public sealed class OptionsTests
{
    /// <summary>
    /// Every public settable property of <see cref="TrainerOptions"/>, set on <see cref="FineTuneEmbeddingOptions.Trainer"/>
    /// to a value other than its default, arrives in the options the trainer gets (Progress wrapped, so it also feeds the MLContext log).
    /// </summary>
    [Fact]
    public void EveryTrainerOptionIsReachableFromFineTuneEmbeddingOptions()
    {
        var defaults = new TrainerOptions();
        var o = new FineTuneEmbeddingOptions { BaseModelPath = TestData.TinyBert };
        var props = typeof(TrainerOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic).ToList();
        Assert.True(props.Count >= 30, $"found {props.Count} settable trainer options");
        var expected = new Dictionary<string, object?>();
        foreach (var p in props)
        {
            object value = ValueOtherThan(p.PropertyType, p.GetValue(defaults));
            p.SetValue(o.Trainer, value);
            expected[p.Name] = value;
        }
        o.Trainer.Backend = TrainingBackend.Managed; o.Trainer.EngineFactory = null; // a real factory would be needed to Fit; the copy is checked below
        expected[nameof(TrainerOptions.Backend)] = TrainingBackend.Managed; expected[nameof(TrainerOptions.EngineFactory)] = null;
        o.Trainer.Evaluator = null; expected[nameof(TrainerOptions.Evaluator)] = null;
        o.Trainer.LayerDecay = 0.5f; expected[nameof(TrainerOptions.LayerDecay)] = 0.5f; // 1.125 is out of range (at most 1)

        var given = new FineTuneEmbeddingEstimator(new FineTuneEmbeddingOptions { BaseModelPath = TestData.TinyBert, Trainer = o.Trainer }).TrainerOptionsFor(null);
        Assert.NotSame(o.Trainer, given); // a copy: the trainer never writes into the caller's object
        foreach (var p in props)
        {
            if (p.Name == nameof(TrainerOptions.Progress))
            {
                var progress = (Recorder)o.Trainer.Progress!;
                given.Progress!.Report(new TrainingProgress(3, 9, 0.5, 1.25f, 1e-3f));
                Assert.Equal(3, Assert.Single(progress.Seen).Step);
                continue;
            }
            var actual = p.GetValue(given);
            if (actual is not null && !actual.GetType().IsValueType && actual is not string) Assert.Same(expected[p.Name], actual);
            else Assert.True(Equals(expected[p.Name], actual), $"TrainerOptions.{p.Name}: set {expected[p.Name]}, the trainer got {actual}");
        }
        // the same through ValidationData: the estimator builds the evaluator, the rest stays as set
        var ml = new MLContext();
        var withValidation = new FineTuneEmbeddingEstimator(new FineTuneEmbeddingOptions
        {
            BaseModelPath = TestData.TinyBert, AnchorColumnName = "A", PositiveColumnName = "B", Trainer = { Epochs = 5 },
            ValidationData = ml.Data.LoadFromEnumerable(new[] { new Pair { A = "a b", B = "a c" }, new Pair { A = "d e", B = "d f" } }),
        }).TrainerOptionsFor(null);
        Assert.NotNull(withValidation.Evaluator);
        Assert.Equal(5, withValidation.Epochs);
    }

    sealed class Pair { public string A { get; set; } = ""; public string B { get; set; } = ""; }

    static object ValueOtherThan(Type type, object? current)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(bool)) return current is bool b ? !b : true;
        if (t == typeof(int)) return (current is int i ? i : 0) + 7;
        if (t == typeof(float)) return (current is float f ? f : 0f) + 0.125f;
        if (t == typeof(double)) return (current is double d ? d / 2 : 0.25);
        if (t == typeof(string)) return "cuda:3";
        if (t.IsEnum) return Enum.GetValues(t).Cast<object>().First(v => !v.Equals(current));
        if (t == typeof(IProgress<TrainingProgress>)) return new Recorder();
        if (t == typeof(Action<string>)) return (Action<string>)(_ => { });
        if (t.IsInterface) return DispatchProxy.Create(t, typeof(NothingProxy));
        throw new InvalidOperationException($"TrainerOptions has a property of type {type}: teach this test a value for it.");
    }

    public class NothingProxy : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => throw new NotSupportedException();
    }

    sealed class Recorder : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Seen { get; } = new();
        public void Report(TrainingProgress value) => Seen.Add(value);
    }

    sealed class Labelled { public string Text { get; set; } = ""; public string Label { get; set; } = ""; }

    /// <summary>Word vectors fine-tuned without a learning rate train at the trainer's 5e-2 for static models, and the vectors move.</summary>
    [Fact]
    public void GloveWithoutALearningRateUsesTheStaticDefaultAndMoves()
    {
        var ml = new MLContext(seed: 1);
        string[] money = ["bank", "dividend", "revenue", "profit", "stock", "market", "interest", "loan"];
        string[] sport = ["team", "game", "player", "match", "coach", "season", "goal", "league"];
        var rng = new Random(2);
        var rows = Enumerable.Range(0, 64).Select(i => new Labelled
        {
            Text = string.Join(" ", Enumerable.Range(0, 3).Select(_ => (i % 2 == 0 ? money : sport)[rng.Next(8)])),
            Label = i % 2 == 0 ? "finance" : "sports",
        }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var rates = new List<float>();
        var o = new FineTuneEmbeddingOptions
        {
            BaseModelPath = TestData.Glove, AnchorColumnName = "Text", LabelColumnName = "Label", Loss = EmbeddingLoss.MultipleNegativesRanking,
            PairsPerRow = 1, Trainer = { Epochs = 1, BatchSize = 16, Progress = new SyncProgress(p => rates.Add(p.LearningRate)) },
        };
        var tuned = ml.Transforms.FineTuneEmbedding(o).Fit(data);
        Assert.False(o.Trainer.LearningRateIsSet); // the caller's options are not written into
        Assert.InRange(rates.Max(), TrainerOptions.DefaultStaticLearningRate * 0.5f, TrainerOptions.DefaultStaticLearningRate * 1.0001f);
        var texts = rows.Select(r => r.Text).ToList();
        var before = SentenceEncoder.Load(TestData.Glove).Encode(texts);
        var after = tuned.Transform(data).GetColumn<float[]>("Features").ToArray();
        double moved = 0;
        for (int i = 0; i < texts.Count; i++) moved = Math.Max(moved, before[i].Zip(after[i], (a, b) => Math.Abs(a - b)).Max());
        Assert.True(moved > 1e-2, $"largest change of a vector component {moved}: the vectors barely moved");
    }

    sealed class SyncProgress(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }

    [Fact]
    public void EveryLossOfTheFactoryIsAnEmbeddingLossAndBuilds()
    {
        var ml = Enum.GetValues<EmbeddingLoss>().Select(LossNames.Of).Order().ToArray();
        Assert.Equal(LossFactory.Names.Order().ToArray(), ml);
        foreach (var loss in Enum.GetValues<EmbeddingLoss>())
            Assert.Equal(LossNames.Of(loss), LossFactory.Create(LossNames.Of(loss)).Name);
    }

    [Fact]
    public void LossOptionsReachTheLossAndWrongOnesFailAtConstruction()
    {
        var ml = new MLContext();
        var ex = Assert.Throws<ConfigurationException>(() => ml.Transforms.FineTuneEmbedding(new FineTuneEmbeddingOptions
        {
            BaseModelPath = TestData.TinyBert, Loss = EmbeddingLoss.Triplet, LossOptions = { MiniBatchSize = 8 },
        }));
        Assert.Equal(nameof(LossOptions.MiniBatchSize), ex.Setting);
        var m = Assert.IsType<MatryoshkaLoss>(LossFactory.Create(LossNames.Of(EmbeddingLoss.CoSent), new LossOptions { Scale = 5, MatryoshkaDimensions = [16, 8] }));
        Assert.Equal(new[] { 16, 8 }, m.Dimensions);
    }

    sealed class Scored
    {
        public string A { get; set; } = ""; public string P { get; set; } = ""; public string N { get; set; } = "";
        public float PosScore { get; set; }
        public float NegScore { get; set; }
    }

    /// <summary>The distillation losses, once only on the command line, train from ML.NET columns of teacher scores.</summary>
    [Theory]
    [InlineData(EmbeddingLoss.Distillation)]
    [InlineData(EmbeddingLoss.MarginMse)]
    public void DistillationLossesTrainFromTeacherScoreColumns(EmbeddingLoss loss)
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 16).Select(i => new Scored { A = $"query {i} hello", P = $"hello world {i}", N = $"the quick brown fox {i}", PosScore = 0.9f, NegScore = 0.1f + i / 100f }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var losses = new List<float>();
        var t = ml.Transforms.FineTuneEmbedding(new FineTuneEmbeddingOptions
        {
            BaseModelPath = TestData.TinyBert, AnchorColumnName = "A", PositiveColumnName = "P", NegativeColumnNames = ["N"],
            TeacherScoreColumnNames = ["PosScore", "NegScore"], Loss = loss,
            Trainer = { Epochs = 1, BatchSize = 8, LearningRate = 1e-3f, Progress = new SyncProgress(p => losses.Add(p.Loss)) },
        }).Fit(data);
        Assert.Equal(2, losses.Count);
        Assert.All(losses, l => Assert.True(float.IsFinite(l) && l >= 0, $"loss {l}"));
        Assert.Equal(16, t.Transform(data).GetColumn<float[]>("Features").Count());
        var bad = Assert.Throws<ConfigurationException>(() => ml.Transforms.FineTuneEmbedding(new FineTuneEmbeddingOptions
        {
            BaseModelPath = TestData.TinyBert, AnchorColumnName = "A", PositiveColumnName = "P", NegativeColumnNames = ["N"],
            TeacherScoreColumnNames = ["PosScore"], Loss = loss,
        }).Fit(data));
        Assert.Equal(nameof(FineTuneEmbeddingOptions.TeacherScoreColumnNames), bad.Setting);
    }

    [Fact]
    public void FineTunedStagesRunOnTheManagedOrTorchSharpEngineOnly()
    {
        var ml = new MLContext();
        var onnx = Assert.Throws<ConfigurationException>(() => ml.Transforms.FineTuneEmbedding(new FineTuneEmbeddingOptions
        {
            BaseModelPath = TestData.TinyBert, OutputModelPath = TestData.TempDir(), Embedding = { Backend = EmbeddingBackend.Onnx },
        }));
        Assert.Equal("Embedding.Backend", onnx.Setting);
        var torch = Assert.Throws<ConfigurationException>(() => ml.Transforms.FineTuneEmbedding(new FineTuneEmbeddingOptions
        {
            BaseModelPath = TestData.TinyBert, Embedding = { Backend = EmbeddingBackend.TorchSharp },
        }));
        Assert.Contains("OutputModelPath", torch.Message);
    }

    /// <summary>ApplyEmbeddingOptions.Pooling reaches the encoder through EncodeOptions.Pooling; the model's own config is not changed.</summary>
    [Fact]
    public void PoolingIsAnEncodeOptionAndTheModelConfigStaysAsLoaded()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Labelled { Text = "hello world" }, new Labelled { Text = "the quick brown fox" } });
        var t = ml.Transforms.ApplyEmbedding("E", "Text", TestData.TinyBert, new ApplyEmbeddingOptions { Pooling = PoolingMode.Cls }).Fit(data);
        Assert.Equal(PoolingMode.Mean, t.Encoder.Config.Pooling);
        var encoder = SentenceEncoder.Load(TestData.TinyBert);
        var expected = encoder.Encode(new[] { "hello world", "the quick brown fox" }, new EncodeOptions { Pooling = PoolingMode.Cls });
        Assert.Equal(expected, t.Transform(data).GetColumn<float[]>("E").ToArray());
        Assert.NotEqual(expected[0], encoder.Encode("hello world"));
    }
}
