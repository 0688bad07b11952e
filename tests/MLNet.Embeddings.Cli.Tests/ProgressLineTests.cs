using MLNet.Embeddings.Cli.Commands;

namespace MLNet.Embeddings.Cli.Tests;

public class ProgressLineTests
{
    static string Run(bool rewrite, int total)
    {
        var writer = new StringWriter();
        using (var progress = new ProgressLine(total, "embedding", new StatusLine(writer, rewrite)))
        {
            for (int done = 0; done < total; done += 7) progress.Report(done);
            progress.Report(total);
        }
        return writer.ToString();
    }

    [Fact]
    public void RedirectedStderrGetsPlainLinesAtQuarterMarksOnly()
    {
        var text = Run(rewrite: false, total: 2000);
        Assert.DoesNotContain('\r', text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["embedding   0% (0/2000)", "embedding  25% (504/2000)", "embedding  50% (1001/2000)", "embedding  75% (1505/2000)", "embedding 100% (2000/2000)"], lines);
    }

    [Fact]
    public void TerminalRewritesOneLineWithCarriageReturns()
    {
        var text = Run(rewrite: true, total: 2000);
        Assert.True(text.Count(c => c == '\r') > 50);
        Assert.EndsWith(Environment.NewLine, text);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void RedirectedCountsAreThrottledAndTheLastIsWrittenAtTheEnd()
    {
        var writer = new StringWriter();
        var line = new StatusLine(writer, rewrite: false);
        for (int n = 10_000; n <= 200_000; n += 10_000) line.Update($"import: {n} rows");
        line.End();
        Assert.Equal(["import: 10000 rows", "import: 200000 rows"], writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
