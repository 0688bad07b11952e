using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Training.Tests.Evaluation;

public class LabeledTextReaderTests : IDisposable
{
    private readonly string _dir = EvaluationFixtures.TempDir();

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void ReadsJsonlWithStringNumberAndBooleanLabels()
    {
        var path = Path.Combine(_dir, "rows.jsonl");
        File.WriteAllLines(path, new[] { """{"text": "a", "topic": "tax"}""", "", """{"text": "b", "topic": 3}""", """{"text": "", "topic": "x"}""", """{"text": "c", "topic": true}""" });
        var (texts, labels) = LabeledTextReader.Read(path, "topic");
        Assert.Equal(new[] { "a", "b", "c" }, texts);
        Assert.Equal(new[] { "tax", "3", "true" }, labels);
        File.AppendAllLines(path, new[] { """{"text": "d"}""" });
        var ex = Assert.Throws<DatasetFormatException>(() => LabeledTextReader.Read(path, "topic"));
        Assert.Equal((6, "topic"), (ex.Line, ex.Field));
    }

    [Fact]
    public void ReadsCsvWithQuotesCommasAndNewlines()
    {
        var path = Path.Combine(_dir, "rows.csv");
        File.WriteAllText(path, "\uFEFFid,text,label\r\n1,\"hello, world\",x\r\n2,\"say \"\"hi\"\"\nthere\",y\r\n3,plain,x\r\n");
        var (texts, labels) = LabeledTextReader.Read(path, "label");
        Assert.Equal(new[] { "hello, world", "say \"hi\"\nthere", "plain" }, texts);
        Assert.Equal(new[] { "x", "y", "x" }, labels);
        var ex = Assert.Throws<DatasetFormatException>(() => LabeledTextReader.Read(path, "ticker"));
        Assert.Contains("id, text, label", ex.Message);
    }

    [Fact]
    public void ReadsTsv()
    {
        var path = Path.Combine(_dir, "rows.tsv");
        File.WriteAllText(path, "text\tlabel\na b\t1\nc, d\t2\n");
        var (texts, labels) = LabeledTextReader.Read(path, "label");
        Assert.Equal(new[] { "a b", "c, d" }, texts);
        Assert.Equal(new[] { "1", "2" }, labels);
    }

    [Fact]
    public void MissingFieldsAreNamedWithTheFieldsPresentAndAnyFieldCanLabel()
    {
        var path = Path.Combine(_dir, "train.jsonl");
        File.WriteAllLines(path, new[]
        {
            """{"query": "q1", "pos": ["p1"], "neg": ["n1"], "ticker": "AAPL"}""",
            """{"query": "q2", "pos": ["p2"], "neg": [], "ticker": "MSFT"}""",
        });
        var ex = Assert.Throws<DatasetFormatException>(() => LabeledTextReader.Read(path, "label", "text"));
        Assert.Equal((1, "text"), (ex.Line, ex.Field));
        Assert.Contains("this row has: query, pos, neg, ticker", ex.Message);
        ex = Assert.Throws<DatasetFormatException>(() => LabeledTextReader.Read(path, "label", null));
        Assert.Equal("label", ex.Field);
        Assert.Contains("query, pos, neg, ticker", ex.Message);
        Assert.Equal("query", LabeledTextReader.DetectTextField(path));
        var (texts, labels) = LabeledTextReader.Read(path, "ticker", null);
        Assert.Equal(new[] { "q1", "q2" }, texts);
        Assert.Equal(new[] { "AAPL", "MSFT" }, labels);
        (texts, labels) = LabeledTextReader.Read(path, null, "pos");   // an array field gives its first text
        Assert.Equal(new[] { "p1", "p2" }, texts);
        Assert.Equal(new[] { "all", "all" }, labels);
    }
}
