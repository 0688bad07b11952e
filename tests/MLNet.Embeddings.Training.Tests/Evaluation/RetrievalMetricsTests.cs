using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Training.Tests.Evaluation;

public class RetrievalMetricsTests
{
    // Ranking d3, d1, d2, d5 with d1 and d5 relevant: hits at ranks 2 and 4.
    private static readonly string[] Ranking = { "d3", "d1", "d2", "d5" };
    private static readonly IReadOnlySet<string> Relevant = new HashSet<string> { "d1", "d5" };

    [Fact]
    public void HandCheckedRecallPrecisionMrr()
    {
        Assert.Equal(0, RetrievalMetrics.Recall(Ranking, Relevant, 1));
        Assert.Equal(0.5, RetrievalMetrics.Recall(Ranking, Relevant, 3), 12);
        Assert.Equal(1, RetrievalMetrics.Recall(Ranking, Relevant, 5), 12);
        Assert.Equal(1.0 / 3, RetrievalMetrics.Precision(Ranking, Relevant, 3), 12);
        Assert.Equal(2.0 / 10, RetrievalMetrics.Precision(Ranking, Relevant, 10), 12); // divides by k, not by #results
        Assert.Equal(0, RetrievalMetrics.ReciprocalRank(Ranking, Relevant, 1));
        Assert.Equal(0.5, RetrievalMetrics.ReciprocalRank(Ranking, Relevant, 3), 12);
    }

    [Fact]
    public void HandCheckedNdcgAndMap()
    {
        double l3 = Math.Log(3, 2), l5 = Math.Log(5, 2);
        Assert.Equal(0, RetrievalMetrics.Ndcg(Ranking, Relevant, 1));
        Assert.Equal((1 / l3) / (1 + 1 / l3), RetrievalMetrics.Ndcg(Ranking, Relevant, 3), 12);
        Assert.Equal((1 / l3 + 1 / l5) / (1 + 1 / l3), RetrievalMetrics.Ndcg(Ranking, Relevant, 5), 12);
        Assert.Equal(0, RetrievalMetrics.AveragePrecision(Ranking, Relevant, 1));
        Assert.Equal(0.5 / 2, RetrievalMetrics.AveragePrecision(Ranking, Relevant, 3), 12);
        Assert.Equal((1.0 / 2 + 2.0 / 4) / 2, RetrievalMetrics.AveragePrecision(Ranking, Relevant, 5), 12);
        // min(k, #relevant): at k = 1 a single hit on top is a perfect score even with two relevant documents.
        Assert.Equal(1, RetrievalMetrics.AveragePrecision(new[] { "d1" }, Relevant, 1), 12);
        Assert.Equal(1, RetrievalMetrics.Ndcg(new[] { "d5", "d1", "x" }, Relevant, 3), 12);
    }

    [Fact]
    public void ComputeNamesEveryMetricForEveryK()
    {
        var m = RetrievalMetrics.Compute(new[] { (IReadOnlyList<string>)Ranking }, new[] { Relevant }, new[] { 5, 1, 3 });
        var expected = new[] { "recall", "precision", "mrr", "ndcg", "map" }
            .SelectMany(n => new[] { 1, 3, 5 }.Select(k => $"{n}@{k}")).ToArray();
        Assert.Equal(expected, m.Keys.ToArray());
    }

    [Fact]
    public void RejectsEmptyRelevantSetAndZeroK()
    {
        Assert.Throws<ArgumentException>(() => RetrievalMetrics.Recall(Ranking, new HashSet<string>(), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => RetrievalMetrics.Ndcg(Ranking, Relevant, 0));
    }

    [Fact]
    public void MatchesSentenceTransformersReferenceFixture()
    {
        using var doc = EvaluationFixtures.Load("ir_metrics_reference.json");
        var root = doc.RootElement;
        var ks = EvaluationFixtures.Ints(root.GetProperty("ks"));
        var rankings = new List<IReadOnlyList<int>>();
        var relevant = new List<IReadOnlySet<int>>();
        foreach (var q in root.GetProperty("queries").EnumerateArray())
        {
            var ranking = EvaluationFixtures.Ints(q.GetProperty("ranking"));
            var rel = EvaluationFixtures.Ints(q.GetProperty("relevant")).ToHashSet();
            rankings.Add(ranking); relevant.Add(rel);
            var single = RetrievalMetrics.Compute(new[] { (IReadOnlyList<int>)ranking }, new[] { (IReadOnlySet<int>)rel }, ks);
            foreach (var metric in q.GetProperty("metrics").EnumerateObject())
                Assert.Equal(metric.Value.GetDouble(), single[metric.Name], 12);
        }
        var mean = RetrievalMetrics.Compute(rankings, relevant, ks);
        var expected = root.GetProperty("mean").EnumerateObject().ToList();
        Assert.Equal(expected.Count, mean.Count);
        foreach (var metric in expected) Assert.Equal(metric.Value.GetDouble(), mean[metric.Name], 12);
    }

    [Fact]
    public void MatchesStraightforwardDefinitionsOnRandomRankings()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 300; trial++)
        {
            int n = rng.Next(1, 30);
            var ranking = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).Take(rng.Next(1, n + 1)).ToArray();
            var relevant = Enumerable.Range(0, rng.Next(1, 8)).Select(_ => rng.Next(0, n + 3)).ToHashSet();
            int k = rng.Next(1, 15);
            var top = ranking.Take(k).ToArray();
            bool[] hit = top.Select(relevant.Contains).ToArray();
            int hits = hit.Count(h => h);
            // Definitions written another way: positions of hits, ideal ranking, precision at each hit position.
            var hitRanks = Enumerable.Range(1, top.Length).Where(r => hit[r - 1]).ToArray();
            double dcg = hitRanks.Sum(r => 1 / Math.Log2(r + 1));
            double idcg = Enumerable.Range(1, Math.Min(k, relevant.Count)).Sum(r => 1 / Math.Log2(r + 1));
            double ap = hitRanks.Select((r, i) => (i + 1.0) / r).Sum() / Math.Min(k, relevant.Count);
            Assert.Equal(hits / (double)relevant.Count, RetrievalMetrics.Recall(ranking, relevant, k), 12);
            Assert.Equal(hits / (double)k, RetrievalMetrics.Precision(ranking, relevant, k), 12);
            Assert.Equal(hitRanks.Length == 0 ? 0 : 1.0 / hitRanks[0], RetrievalMetrics.ReciprocalRank(ranking, relevant, k), 12);
            Assert.Equal(dcg / idcg, RetrievalMetrics.Ndcg(ranking, relevant, k), 12);
            Assert.Equal(ap, RetrievalMetrics.AveragePrecision(ranking, relevant, k), 12);
            Assert.InRange(RetrievalMetrics.Ndcg(ranking, relevant, k), 0, 1 + 1e-12);
        }
    }
}
