using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Training.Tests.Evaluation;

public class EvaluatorTests
{
    /// <summary>An embedding function from a fixed table (unknown texts fail the test).</summary>
    private static Func<IReadOnlyList<string>, float[][]> Table(Dictionary<string, float[]> table, List<int>? calls = null) => texts =>
    {
        calls?.Add(texts.Count);
        return texts.Select(t => table.TryGetValue(t, out var v) ? v : throw new KeyNotFoundException(t)).ToArray();
    };

    private static float[] Angle(double degrees) => new[] { (float)Math.Cos(degrees * Math.PI / 180), (float)Math.Sin(degrees * Math.PI / 180) };

    [Fact]
    public void ExactSearchMatchesSortingAllScores()
    {
        var rng = new Random(3);
        float[] Rand(int d) => Enumerable.Range(0, d).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var docs = Enumerable.Range(0, 57).Select(_ => Rand(9)).ToList();
        docs.Add(docs[4].ToArray()); // a tie: the lower index must come first
        docs.Add(docs[4].Select(v => v * 3).ToArray()); // same direction, so the same cosine
        var queries = Enumerable.Range(0, 13).Select(_ => Rand(9)).Append(docs[4].ToArray()).ToArray();
        foreach (int k in new[] { 1, 5, 200 })
        {
            var top = ExactSearch.TopK(queries, docs.ToArray(), k);
            for (int i = 0; i < queries.Length; i++)
            {
                var expected = Enumerable.Range(0, docs.Count)
                    .Select(j => (j, s: (float)ExactSearch.Cosine(queries[i], docs[j])))
                    .OrderByDescending(p => p.s).ThenBy(p => p.j).Take(k).Select(p => p.j).ToArray();
                Assert.Equal(expected.Length, top[i].Length);
                // Scores computed two ways may differ in the last bit; compare the scores of the returned order.
                for (int r = 0; r < expected.Length; r++)
                    Assert.Equal(ExactSearch.Cosine(queries[i], docs[expected[r]]), ExactSearch.Cosine(queries[i], docs[top[i][r]]), 5);
            }
        }
        var last = ExactSearch.TopK(new[] { docs[4] }, docs.ToArray(), 3)[0];
        Assert.Equal(new[] { 4, 57, 58 }, last);
    }

    [Fact]
    public void RetrievalFromRowsDeduplicatesCorpusAndScoresHandCheckedRanking()
    {
        // Query vectors at 0°; documents at increasing angles, so the ranking is a, b, c, d.
        var table = new Dictionary<string, float[]>
        {
            ["q1"] = Angle(0), ["q2"] = Angle(90),
            ["a"] = Angle(10), ["b"] = Angle(20), ["c"] = Angle(30), ["d"] = Angle(200),
        };
        var rows = new[]
        {
            new TrainingExample { Query = "q1", Pos = { "b" } },
            new TrainingExample { Query = "q1", Pos = { "d" } },     // same query: merged, relevant {b, d}
            new TrainingExample { Query = "q2", Pos = { "c", "b" } }, // b again: one corpus entry
            new TrainingExample { Query = "q2", Pos = { "a" }, Neg = { "ignored" } },
        };
        var ev = InformationRetrievalEvaluator.FromExamples(rows, new InformationRetrievalEvaluatorOptions { Ks = new[] { 1, 3 } });
        Assert.Equal(2, ev.QueryCount);
        Assert.Equal(4, ev.CorpusCount);
        Assert.Equal("ndcg@3", ev.PrimaryMetric);
        var m = ev.Evaluate(Table(table));
        // q1 ranks a, b, c, d with {b, d} relevant; q2 (90°) ranks c, b, a, d with {a, b, c} relevant.
        Assert.Equal((0 + 1) / 2.0, m["precision@1"], 12);
        Assert.Equal((1.0 / 2 + 1) / 2, m["recall@3"], 12);
        Assert.Equal((0.5 + 1) / 2, m["mrr@3"], 12);
        double idcg2 = 1 + 1 / Math.Log2(3);
        Assert.Equal(((1 / Math.Log2(3)) / idcg2 + 1) / 2, m["ndcg@3"], 12);
        Assert.Equal((0.5 / 2 + 3.0 / 3) / 2, m["map@3"], 12);
        Assert.Equal(10, m.Count);
    }

    [Fact]
    public void RetrievalCanAddNegativesAsDistractors()
    {
        var table = new Dictionary<string, float[]> { ["q"] = Angle(0), ["p"] = Angle(40), ["n"] = Angle(5) };
        var rows = new[] { new TrainingExample { Query = "q", Pos = { "p" }, Neg = { "n" } } };
        var plain = InformationRetrievalEvaluator.FromExamples(rows).Evaluate(Table(table));
        Assert.Equal(1, plain["mrr@10"], 12);
        var hard = InformationRetrievalEvaluator.FromExamples(rows, new InformationRetrievalEvaluatorOptions { IncludeNegativesInCorpus = true });
        Assert.Equal(2, hard.CorpusCount);
        Assert.Equal(0.5, hard.Evaluate(Table(table))["mrr@10"], 12);
    }

    [Fact]
    public void RetrievalWithIdsSkipsQueriesWithoutJudgements()
    {
        var queries = new Dictionary<string, string> { ["1"] = "q1", ["2"] = "q2" };
        var corpus = new Dictionary<string, string> { ["x"] = "a", ["y"] = "b" };
        var qrels = new Dictionary<string, IReadOnlySet<string>> { ["1"] = new HashSet<string> { "y" } };
        var ev = new InformationRetrievalEvaluator(queries, corpus, qrels);
        Assert.Equal(1, ev.QueryCount);
        var table = new Dictionary<string, float[]> { ["q1"] = Angle(0), ["a"] = Angle(10), ["b"] = Angle(50) };
        var m = ev.Evaluate(Table(table));
        Assert.Equal(0.5, m["mrr@10"], 12);
        Assert.Equal(1, m["recall@3"], 12);
        Assert.Equal(1.0 / 3, m["precision@3"], 12);
    }

    [Fact]
    public void SimilarityCorrelatesCosineWithGold()
    {
        var table = new Dictionary<string, float[]> { ["o"] = Angle(0), ["a"] = Angle(10), ["b"] = Angle(50), ["c"] = Angle(80), ["d"] = Angle(170) };
        var calls = new List<int>();
        var ev = new EmbeddingSimilarityEvaluator(new[] { "o", "o", "o", "o", "a" }, new[] { "a", "b", "c", "d", "o" },
            new[] { 4.9, 3.1, 1.4, 0.0, 4.9 });
        var m = ev.Evaluate(Table(table, calls));
        Assert.Equal(new[] { 5 }, calls); // distinct texts embedded once, in one call
        Assert.Equal("spearman", ev.PrimaryMetric);
        Assert.Equal(1, m["spearman"], 12);
        var cos = new[] { 10.0, 50, 80, 170, 10 }.Select(d => Math.Cos(d * Math.PI / 180)).ToArray();
        Assert.Equal(CorrelationMetrics.Pearson(cos, new[] { 4.9, 3.1, 1.4, 0.0, 4.9 }), m["pearson"], 6);
        Assert.True(m["pearson"] < 1);
    }

    [Fact]
    public void ClassificationFindsSeparatingThreshold()
    {
        var table = new Dictionary<string, float[]> { ["o"] = Angle(0), ["a"] = Angle(10), ["b"] = Angle(20), ["c"] = Angle(80), ["d"] = Angle(100) };
        var ev = new BinaryClassificationEvaluator(new[] { "o", "o", "o", "o" }, new[] { "a", "b", "c", "d" }, new[] { 1, 1, 0, 0 });
        var m = ev.Evaluate(Table(table));
        Assert.Equal(1, m["accuracy"], 12);
        Assert.Equal(1, m["f1"], 12);
        Assert.Equal(1, m["ap"], 12);
        Assert.Equal((Math.Cos(20 * Math.PI / 180) + Math.Cos(80 * Math.PI / 180)) / 2, m["accuracy_threshold"], 6);
    }

    [Fact]
    public void TripletAccuracyCountsCorrectOrder()
    {
        var table = new Dictionary<string, float[]> { ["a"] = Angle(0), ["p"] = Angle(10), ["n"] = Angle(60), ["far"] = Angle(5) };
        var ev = TripletEvaluator.FromExamples(new[]
        {
            new TrainingExample { Query = "a", Pos = { "p" }, Neg = { "n", "far" } }, // one right, one wrong
            new TrainingExample { Query = "a", Pos = { "far" }, Neg = { "n" } },       // right
        });
        Assert.Equal(3, ev.Count);
        Assert.Equal(2.0 / 3, ev.Evaluate(Table(table))["triplet_accuracy"], 12);
    }

    [Fact]
    public void EmbeddingFunctionReturningWrongCountFails()
    {
        var ev = new TripletEvaluator(new[] { "a" }, new[] { "b" }, new[] { "c" });
        var ex = Assert.Throws<InvalidOperationException>(() => ev.Evaluate(texts => new[] { new float[] { 1 } }));
        Assert.Contains("1 vectors for 3 texts", ex.Message);
    }
}
