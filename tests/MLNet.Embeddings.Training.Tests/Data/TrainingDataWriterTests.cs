using System.Text.Json;
using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Tests.Data;

public class TrainingDataWriterTests
{
    [Fact]
    public void RoundTripsEveryField()
    {
        using var d = new TempDir();
        var extra = JsonDocument.Parse("{\"neg_meta\":[{\"rank\":3}]}").RootElement.GetProperty("neg_meta").Clone();
        var rows = new[]
        {
            new TrainingExample { Query = "什么是 q", Pos = ["p \"quoted\"\n"], Neg = ["n1", "n2"], PosScores = [0.75f], NegScores = [0.1f, 0.2f],
                                  Prompt = "Represent: ", Type = "qa", Extra = new() { ["neg_meta"] = extra } },
            new TrainingExample { Query = "s1", Pos = ["s2"], Score = 3.5f, Label = 1 },
        };
        var f = d.File("out.jsonl");
        Assert.Equal(2, TrainingDataWriter.WriteAll(f, rows));
        var lines = File.ReadAllLines(f);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("{\"query\":\"什么是 q\",\"pos\":[", lines[0]);   // pos is a list, CJK unescaped
        var back = TrainingDataReader.Read(f).ToList();
        Assert.Equal(rows[0].Query, back[0].Query);
        Assert.Equal(rows[0].Pos, back[0].Pos);
        Assert.Equal(rows[0].Neg, back[0].Neg);
        Assert.Equal(rows[0].PosScores, back[0].PosScores);
        Assert.Equal(rows[0].NegScores, back[0].NegScores);
        Assert.Equal(rows[0].Prompt, back[0].Prompt);
        Assert.Equal(rows[0].Type, back[0].Type);
        Assert.Equal(3, back[0].Extra!["neg_meta"][0].GetProperty("rank").GetInt32());
        Assert.Equal(3.5f, back[1].Score);
        Assert.Equal(1, back[1].Label);
        Assert.Equal(["s2"], back[1].Pos);
    }

    [Fact]
    public void FailedWriteLeavesTargetUntouchedAndNoTempFile()
    {
        using var d = new TempDir();
        var f = d.File("keep.jsonl", "old\n");
        IEnumerable<TrainingExample> Failing()
        {
            yield return new TrainingExample { Query = "q", Pos = ["p"] };
            throw new InvalidOperationException("boom");
        }
        Assert.Throws<InvalidOperationException>(() => TrainingDataWriter.WriteAll(f, Failing()));
        Assert.Equal("old\n", File.ReadAllText(f));
        Assert.Single(Directory.GetFiles(d.Path));

        var g = d.File("new.jsonl");
        using (var w = new TrainingDataWriter(g)) w.Write(new TrainingExample { Query = "q", Pos = ["p"] });  // no Commit
        Assert.False(File.Exists(g));
        Assert.Single(Directory.GetFiles(d.Path));
    }
}
