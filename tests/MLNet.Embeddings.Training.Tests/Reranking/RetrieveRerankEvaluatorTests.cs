using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Evaluation;
using MLNet.Embeddings.Training.Reranking;

namespace MLNet.Embeddings.Training.Tests.Reranking;

/// <summary>Two-stage evaluation: the reranked order is the cross-encoder's order of the retriever's candidates.</summary>
public class RetrieveRerankEvaluatorTests
{
    [Fact]
    public void AfterIsTheCrossEncodersOrderOfTheRetrievedCandidates()
    {
        var model = CrossEncoder.Load(TestPaths.Fixture("reranker", "listwise"));
        var rows = TrainingDataReader.Read(TestPaths.Fixture("reranker", "listwise", "train.jsonl")).ToList();
        var evaluator = new RetrieveRerankEvaluator(rows, includeNegatives: true);
        Assert.Equal(4, evaluator.QueryCount);
        Assert.Equal(16, evaluator.CorpusCount);
        // A fixed retriever: for query q, documents (q*4 .. q*4+5) mod 16 in reverse order, so the positive (id q*4) comes last of six.
        int[][]? given = null;
        Func<IReadOnlyList<string>, IReadOnlyList<string>, int, int[][]> retriever = (qs, corpus, k) =>
            given = qs.Select((_, q) => Enumerable.Range(0, 6).Select(i => (q * 4 + i) % corpus.Count).Reverse().Take(k).ToArray()).ToArray();
        var (before, after) = evaluator.Evaluate(retriever, model, topK: 6);

        var corpusTexts = rows.SelectMany(r => r.Pos.Concat(r.Neg)).Distinct().ToList();
        var relevant = rows.Select((_, q) => (IReadOnlySet<int>)new HashSet<int> { q * 4 }).ToArray();
        var expectedBefore = RetrievalMetrics.Compute(given!.Select(g => (IReadOnlyList<int>)g).ToArray(), relevant, [10]);
        Assert.Equal(expectedBefore["ndcg@10"], before["ndcg@10"], 9);
        var reranked = given!.Select((hits, q) =>
        {
            var scores = model.Predict(hits.Select(h => (rows[q].Query, corpusTexts[h])).ToArray());
            return (IReadOnlyList<int>)hits.Select((h, i) => (h, s: scores[i])).OrderByDescending(x => x.s).Select(x => x.h).ToArray();
        }).ToArray();
        var expectedAfter = RetrievalMetrics.Compute(reranked, relevant, [10]);
        Assert.Equal(expectedAfter["ndcg@10"], after["ndcg@10"], 6);
        Assert.Equal(expectedAfter["mrr@10"], after["mrr@10"], 6);
        Assert.Equal(before["recall@6"], after["recall@6"]);
    }
}
