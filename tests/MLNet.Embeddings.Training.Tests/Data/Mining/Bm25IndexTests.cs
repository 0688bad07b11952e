using System.Text.Json;
using MLNet.Embeddings.Training.Data.Mining;

namespace MLNet.Embeddings.Training.Tests.Data.Mining;

public class Bm25IndexTests
{
    private static JsonElement Reference() =>
        JsonDocument.Parse(File.ReadAllText(SharedData.Fixture("bm25_reference.json"))).RootElement;

    [Fact]
    public void ScoresMatchIndependentPythonReference()
    {
        var r = Reference();
        var docs = r.GetProperty("documents").EnumerateArray().Select(e => e.GetString()!).ToList();
        var queries = r.GetProperty("queries").EnumerateArray().Select(e => e.GetString()!).ToList();
        var expected = r.GetProperty("scores").EnumerateArray().Select(row => row.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
        var index = new Bm25Index(docs, new Bm25Options { K1 = (float)r.GetProperty("k1").GetDouble(), B = (float)r.GetProperty("b").GetDouble() });
        Assert.Equal(r.GetProperty("avgdl").GetDouble(), index.AverageLength, 9);
        for (int q = 0; q < queries.Count; q++)
        {
            var got = index.ScoreAll(queries[q]);
            for (int d = 0; d < docs.Count; d++)
                Assert.True(Math.Abs(got[d] - expected[q][d]) < 1e-4, $"query '{queries[q]}' doc {d}: {got[d]} vs reference {expected[q][d]}");
            // top-k agrees with the full ranking
            var top = index.Search(queries[q], 3);
            var want = Enumerable.Range(0, docs.Count).Where(d => expected[q][d] > 0)
                .OrderByDescending(d => expected[q][d]).ThenBy(d => d).Take(3).ToArray();
            Assert.Equal(want, top.Select(t => t.Id).ToArray());
            // ScoreText on an indexed document equals its indexed score
            for (int d = 0; d < docs.Count; d++)
                Assert.Equal(got[d], index.ScoreText(queries[q], docs[d]), 4);
        }
    }

    [Fact]
    public void AnalyzerMatchesReferenceTermsIncludingCjkBigrams()
    {
        var r = Reference();
        var docs = r.GetProperty("documents").EnumerateArray().Select(e => e.GetString()!).ToList();
        var terms = r.GetProperty("doc_terms").EnumerateArray().Select(a => a.EnumerateArray().Select(e => e.GetString()!).ToArray()).ToArray();
        var an = new TextAnalyzer();
        for (int i = 0; i < docs.Count; i++) Assert.Equal(terms[i], an.Analyze(docs[i]).ToArray());
        Assert.Equal(["日本", "本語", "語テ", "テキ", "キス", "スト", "bert", "한국"], new TextAnalyzer().Analyze("日本語テキスト, BERT! 한국").ToArray());
    }

    [Fact]
    public void IdfUsesLuceneFormula()
    {
        Assert.Equal(Math.Log(1 + (10 - 3 + 0.5) / (3 + 0.5)), Bm25Index.Idf(10, 3), 5);
        Assert.True(Bm25Index.Idf(10, 10) > 0);   // never negative, unlike the original Robertson idf
    }
}
