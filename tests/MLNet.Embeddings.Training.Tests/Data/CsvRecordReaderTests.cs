using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Data;

namespace MLNet.Embeddings.Training.Tests.Data;

public class CsvRecordReaderTests
{
    private static List<(int Line, string[] Fields)> ReadAll(string text, char delim = ',', bool quoting = true)
    {
        var r = new CsvRecordReader(new StringReader(text), delim, quoting);
        var fields = new List<string>();
        var all = new List<(int, string[])>();
        while (r.Read(fields)) all.Add((r.RecordLine, fields.ToArray()));
        return all;
    }

    [Fact]
    public void HandlesQuotesEscapedQuotesNewlinesInQuotesBomAndCrlf()
    {
        var text = "\uFEFFa,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",z\r\n\"multi\nline\",\"\",last\n1,2,3";
        var rows = ReadAll(text);
        Assert.Equal(4, rows.Count);
        Assert.Equal(["a", "b", "c"], rows[0].Fields);
        Assert.Equal(["x, y", "he said \"hi\"", "z"], rows[1].Fields);
        Assert.Equal(2, rows[1].Line);
        Assert.Equal(["multi\nline", "", "last"], rows[2].Fields);
        Assert.Equal(3, rows[2].Line);
        Assert.Equal(["1", "2", "3"], rows[3].Fields);
        Assert.Equal(5, rows[3].Line);
    }

    [Fact]
    public void CrLfInsideQuotesIsKeptAndCountsOneLine()
    {
        var rows = ReadAll("\"a\r\nb\",c\r\nd,e\r\n");
        Assert.Equal("a\r\nb", rows[0].Fields[0]);
        Assert.Equal(3, rows[1].Line);
        Assert.Equal(2, rows.Count);
    }

    [Fact]
    public void TsvWithoutQuotingTreatsQuotesAsText()
    {
        var rows = ReadAll("g\t5.0\t\"Hello\tworld\"\nx\ty\tz\n", '\t', quoting: false);
        Assert.Equal(["g", "5.0", "\"Hello", "world\""], rows[0].Fields);
        Assert.Equal(2, rows[1].Line);
    }

    [Fact]
    public void UnclosedQuoteThrowsWithLine()
    {
        var r = new CsvRecordReader(new StringReader("a,b\n\"open,c\nd"));
        var f = new List<string>();
        Assert.True(r.Read(f));
        var ex = Assert.Throws<CsvFormatException>(() => r.Read(f));
        Assert.Contains("line 2", ex.Message);
        Assert.Equal(2, ex.Line);
        Assert.DoesNotContain("line", ex.Reason);
    }

    [Fact]
    public void ReadsStsBenchmarkTsvLineByLine()
    {
        var r = new CsvRecordReader(File.OpenText(SharedData.Path("stsbenchmark/sts-train.csv")), '\t', quoting: false);
        var f = new List<string>();
        int n = 0;
        while (r.Read(f)) { n++; Assert.True(f.Count >= 7, $"line {r.RecordLine} has {f.Count} fields"); }
        Assert.Equal(5749, n);
    }
}
