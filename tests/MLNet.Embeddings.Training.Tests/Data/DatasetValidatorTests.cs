using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Tests.Data;

public class DatasetValidatorTests
{
    [Fact]
    public void CollectsEveryProblemWithLineAndField()
    {
        using var d = new TempDir();
        var f = d.File("v.jsonl", string.Join("\n",
            "{\"query\":\"fine\",\"pos\":[\"ok\"],\"neg\":[\"other\"]}",          // 1 ok
            "{\"query\":\"q\",\"pos\":[\"p\"]",                                    // 2 bad JSON
            "{\"pos\":[\"p\"],\"neg\":[]}",                                        // 3 missing query -> not a known format
            "{\"query\":\"\",\"pos\":[]}",                                         // 4 empty query AND empty pos
            "{\"query\":\"Same  text\",\"pos\":[\"same text\"]}",                  // 5 query equals positive
            "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"P\",\"n\",\"n\"]}",       // 6 pos in neg, repeated neg
            "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"n\"],\"neg_scores\":[0.1,0.2]}", // 7 length mismatch
            "",
            "{\"query\":\"q\",\"pos\":[\"p\"],\"pos_scores\":[\"Infinity\"]}"));   // 9 non-finite
        var r = DatasetValidator.Validate(f);
        Assert.False(r.IsValid);
        Assert.Equal(8, r.Rows);
        Assert.Equal(7, r.RowsWithProblems);
        var got = r.Problems.Select(p => (p.Line, p.Field)).ToList();
        Assert.Contains((2, (string?)null), got);
        Assert.Contains((3, (string?)"query"), got);
        Assert.Contains((4, (string?)"query"), got);
        Assert.Contains((4, (string?)"pos"), got);
        Assert.Contains((5, (string?)"pos[0]"), got);
        Assert.Contains((6, (string?)"neg[0]"), got);
        Assert.Contains((6, (string?)"neg[2]"), got);
        Assert.Contains((7, (string?)"neg_scores"), got);
        Assert.Contains((9, (string?)"pos_scores[0]"), got);
        Assert.DoesNotContain(got, p => p.Line == 1);
        Assert.Equal(r.ProblemCount, r.Problems.Count);
    }

    [Fact]
    public void ChineseSeedsFileIsValidOrProblemsAreNamed()
    {
        var r = DatasetValidator.Validate(SharedData.Path("zh/bge_finetune_data_zh.jsonl"));
        Assert.Equal(2701, r.Rows);
        Assert.All(r.Problems, p => Assert.InRange(p.Line, 1, 2701));
    }
}
