using ModelBuilderExample;

namespace MLNet.Embeddings.Examples.Tests;

public sealed class ModelBuilderExampleTests
{
    [Fact]
    public void TinyRunSavesZipsWhosePredictBeatsTheMajorityClassAndMatchesTheReportedMetrics()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-examples-tests", Guid.NewGuid().ToString("N"));
        var o = new ExperimentOptions { OutputDirectory = dir, Tickers = 5, RowsPerTicker = 40, Seed = 7 };
        o.FineTune.PairsPerRow = 2;
        var result = Experiment.Run(o, TextWriter.Null);

        // the split: 5 tickers × 40 rows, every held-out ticker one of the training tickers
        Assert.Equal(5, result.Classes.Count);
        Assert.Equal(200, result.TrainRows + result.TestRows);
        Assert.All(result.TestSet, r => Assert.Contains(r.Ticker, result.Classes));
        Assert.Equal(2, result.Variants.Count);

        foreach (var v in result.Variants)
        {
            Assert.True(File.Exists(v.ZipPath), v.ZipPath);
            Assert.True(v.Accuracy > result.MajorityShare, $"{v.Name}: accuracy {v.Accuracy} is not above the majority share {result.MajorityShare}");
        }

        // consumption: the generated-style class loads the fine-tuned zip lazily; Predict on every held-out question
        TickerModel.MLNetModelPath = result.Variants[1].ZipPath;
        var predicted = result.TestSet.Select(r => TickerModel.Predict(new TickerModel.ModelInput { Question = r.Question })).ToList();
        Assert.All(predicted, p => Assert.Contains(p.PredictedLabel, result.Classes));
        Assert.All(predicted, p => Assert.Equal(result.Classes.Count, p.Score.Length));

        // accuracy and macro-F1 recomputed from the reloaded model's predictions equal the reported ones
        var truth = result.TestSet.Select(r => r.Ticker).ToList();
        var labels = predicted.Select(p => p.PredictedLabel).ToList();
        double accuracy = truth.Zip(labels).Count(p => p.First == p.Second) / (double)truth.Count;
        Assert.Equal(result.Variants[1].Accuracy, accuracy, 9);
        Assert.Equal(result.Variants[1].MacroF1, MacroF1(truth, labels), 9);
    }

    [Fact]
    public void EndToEndVariantsOnATinyBertAddTwoTextClassifierZipsWhosePredictMatchesTheReportedMetrics()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-examples-tests", Guid.NewGuid().ToString("N"));
        var o = new ExperimentOptions
        {
            Model = Path.Combine(RepoRoot(), "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu"),
            OutputDirectory = dir, Tickers = 3, RowsPerTicker = 20, Seed = 7, RunFineTune = false, RunEndToEnd = true,
        };
        o.EndToEnd.Epochs = 1;
        o.EndToEnd.BatchSize = 8;
        o.EndToEnd.MaxLength = 32;
        var result = Experiment.Run(o, TextWriter.Null);

        Assert.Equal(3, result.Variants.Count);
        Assert.StartsWith("(c) TextClassifier", result.Variants[1].Name);
        Assert.StartsWith("(d) TextClassifier", result.Variants[2].Name);
        Assert.Contains("embedding lr", result.Variants[2].Name);
        Assert.NotEqual(result.Variants[1].ZipPath, result.Variants[2].ZipPath);

        // the end-to-end zip loads as TickerModel's consumption code loads it (not through its static engine, which the
        // other test owns); the reloaded predictions give the reported metrics
        var ml = new Microsoft.ML.MLContext();
        ml.ComponentCatalog.RegisterAssembly(typeof(MLNet.Embeddings.ML.TextClassifierCatalog).Assembly);
        var engine = ml.Model.CreatePredictionEngine<TickerModel.ModelInput, TickerModel.ModelOutput>(ml.Model.Load(result.Variants[2].ZipPath, out _));
        var predicted = result.TestSet.Select(r => engine.Predict(new TickerModel.ModelInput { Question = r.Question })).ToList();
        Assert.All(predicted, p => Assert.Contains(p.PredictedLabel, result.Classes));
        Assert.All(predicted, p => Assert.Equal(result.Classes.Count, p.Score.Length));
        Assert.All(predicted, p => Assert.Equal(1.0, p.Score.Sum(), 3));
        var truth = result.TestSet.Select(r => r.Ticker).ToList();
        var labels = predicted.Select(p => p.PredictedLabel).ToList();
        Assert.Equal(result.Variants[2].Accuracy, truth.Zip(labels).Count(p => p.First == p.Second) / (double)truth.Count, 9);
        Assert.Equal(result.Variants[2].MacroF1, MacroF1(truth, labels), 9);
    }

    static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln"))) return d.FullName;
        throw new InvalidOperationException("MLNet.Embeddings.sln not found above " + AppContext.BaseDirectory);
    }

    // F1 per class from the label lists, averaged over the classes that occur in either list.
    static double MacroF1(IReadOnlyList<string> truth, IReadOnlyList<string> predicted)
    {
        var classes = truth.Concat(predicted).Distinct().ToList();
        return classes.Average(c =>
        {
            int tp = truth.Zip(predicted).Count(p => p.First == c && p.Second == c);
            int fp = truth.Zip(predicted).Count(p => p.First != c && p.Second == c);
            int fn = truth.Zip(predicted).Count(p => p.First == c && p.Second != c);
            return 2.0 * tp / (2 * tp + fp + fn);
        });
    }
}
