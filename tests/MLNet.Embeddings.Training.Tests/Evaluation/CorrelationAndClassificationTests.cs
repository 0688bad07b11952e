using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Training.Tests.Evaluation;

public class CorrelationAndClassificationTests
{
    [Fact]
    public void RanksAverageTies()
    {
        Assert.Equal(new[] { 1, 2.5, 2.5, 4 }, CorrelationMetrics.Ranks(new[] { 10.0, 20, 20, 30 }));
        Assert.Equal(new[] { 3, 1.5, 1.5 }, CorrelationMetrics.Ranks(new[] { 5.0, -1, -1 }));
    }

    [Fact]
    public void SpearmanIsOneForMonotoneNonLinear()
    {
        var x = new[] { 1.0, 2, 3, 4, 5 };
        var y = x.Select(v => Math.Exp(v)).ToArray();
        Assert.Equal(1, CorrelationMetrics.Spearman(x, y), 12);
        Assert.True(CorrelationMetrics.Pearson(x, y) < 0.95);
        Assert.Equal(-1, CorrelationMetrics.Pearson(x, x.Select(v => -2 * v + 1).ToArray()), 12);
        Assert.True(double.IsNaN(CorrelationMetrics.Pearson(x, new[] { 1.0, 1, 1, 1, 1 })));
    }

    [Fact]
    public void CorrelationsMatchScipy()
    {
        using var doc = EvaluationFixtures.Load("evaluation_reference.json");
        int cases = 0;
        foreach (var c in doc.RootElement.GetProperty("correlations").EnumerateArray())
        {
            var x = EvaluationFixtures.Doubles(c.GetProperty("x"));
            var y = EvaluationFixtures.Doubles(c.GetProperty("y"));
            Assert.Equal(c.GetProperty("pearson").GetDouble(), CorrelationMetrics.Pearson(x, y), 10);
            Assert.Equal(c.GetProperty("spearman").GetDouble(), CorrelationMetrics.Spearman(x, y), 10);
            cases++;
        }
        Assert.True(cases >= 20);
    }

    [Fact]
    public void HandCheckedSeparablePairs()
    {
        var scores = new[] { 0.9, 0.8, 0.3, 0.1 };
        var labels = new[] { 1, 1, 0, 0 };
        var (acc, t) = PairClassificationMetrics.BestAccuracy(scores, labels);
        Assert.Equal(1, acc, 12);
        Assert.Equal(0.55, t, 12);
        var (f1, p, r, ft) = PairClassificationMetrics.BestF1(scores, labels);
        Assert.Equal((1.0, 1.0, 1.0, 0.55), (f1, p, r, Math.Round(ft, 12)));
        Assert.Equal(1, PairClassificationMetrics.AveragePrecision(scores, labels), 12);
        // One negative ranked first: AP = (1/2 + 2/3) / 2.
        Assert.Equal((0.5 + 2.0 / 3) / 2, PairClassificationMetrics.AveragePrecision(new[] { 0.9, 0.8, 0.7, 0.1 }, new[] { 0, 1, 1, 0 }), 12);
    }

    [Fact]
    public void ClassificationMatchesSentenceTransformersAndSklearnDefinitions()
    {
        using var doc = EvaluationFixtures.Load("evaluation_reference.json");
        foreach (var c in doc.RootElement.GetProperty("classification").EnumerateArray())
        {
            var s = EvaluationFixtures.Doubles(c.GetProperty("scores"));
            var l = EvaluationFixtures.Ints(c.GetProperty("labels"));
            var (acc, accT) = PairClassificationMetrics.BestAccuracy(s, l);
            var (f1, p, r, f1T) = PairClassificationMetrics.BestF1(s, l);
            Assert.Equal(c.GetProperty("accuracy").GetDouble(), acc, 12);
            Assert.Equal(c.GetProperty("accuracy_threshold").GetDouble(), accT, 12);
            Assert.Equal(c.GetProperty("f1").GetDouble(), f1, 12);
            Assert.Equal(c.GetProperty("precision").GetDouble(), p, 12);
            Assert.Equal(c.GetProperty("recall").GetDouble(), r, 12);
            Assert.Equal(c.GetProperty("f1_threshold").GetDouble(), f1T, 12);
            Assert.Equal(c.GetProperty("ap").GetDouble(), PairClassificationMetrics.AveragePrecision(s, l), 12);
        }
    }

    [Fact]
    public void RejectsLabelsOtherThanZeroOrOne()
    {
        Assert.Throws<ArgumentException>(() => PairClassificationMetrics.AveragePrecision(new[] { 0.1, 0.2 }, new[] { 0, 2 }));
    }
}
