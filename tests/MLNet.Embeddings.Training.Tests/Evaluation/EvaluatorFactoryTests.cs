using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Training.Tests.Evaluation;

public class EvaluatorFactoryTests
{
    private static IEmbeddingEvaluator FromLines(params string[] lines)
    {
        var dir = EvaluationFixtures.TempDir();
        try
        {
            var path = Path.Combine(dir, "test.jsonl");
            File.WriteAllLines(path, lines);
            return EvaluatorFactory.FromFile(path);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void PicksEvaluatorFromFields()
    {
        Assert.IsType<InformationRetrievalEvaluator>(FromLines("""{"query": "q", "pos": ["p"], "neg": ["n"]}"""));
        Assert.IsType<InformationRetrievalEvaluator>(FromLines("""{"anchor": "q", "positive": "p"}"""));
        Assert.IsType<EmbeddingSimilarityEvaluator>(FromLines("""{"sentence1": "a", "sentence2": "b", "score": 4.5}""", """{"sentence1": "c", "sentence2": "d", "score": 1}"""));
        Assert.IsType<BinaryClassificationEvaluator>(FromLines("""{"sentence1": "a", "sentence2": "b", "label": 1}""", """{"sentence1": "c", "sentence2": "d", "label": 0}"""));
        var t = Assert.IsType<TripletEvaluator>(FromLines("""{"anchor": "a", "positive": "b", "negative": "c"}""", "", """{"anchor": "d", "positive": "e", "negative": "f"}"""));
        Assert.Equal(2, t.Count);
    }

    [Fact]
    public void UnknownFieldsNameFileAndLine()
    {
        var ex = Assert.Throws<DatasetFormatException>(() => FromLines("", """{"text": "a"}"""));
        Assert.Equal(2, ex.Line);
        Assert.Contains("query+pos", ex.Message);
        var bad = Assert.Throws<DatasetFormatException>(() => FromLines("""{"sentence1": "a", "sentence2": "b", "label": 2}"""));
        Assert.Equal("label", bad.Field);
    }

    [Fact]
    public void RetrievalRowsFromFileEvaluate()
    {
        var ev = FromLines("""{"query": "q1", "pos": ["p1"]}""", """{"query": "q2", "pos": ["p2", "p1"]}""");
        var m = ev.Evaluate(texts => texts.Select(t => t.EndsWith('1') ? new float[] { 1, 0 } : new float[] { 0, 1 }).ToArray());
        Assert.Equal(1, m["recall@3"], 12);
        Assert.Equal("ndcg@10", ev.PrimaryMetric);
    }
}
