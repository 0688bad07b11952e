using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Tests.Data;

public class LeakageCheckerTests
{
    [Fact]
    public void CountsExactAndNearDuplicateOverlapsPerPair()
    {
        using var d = new TempDir();
        var a = d.File("a.jsonl", string.Join("\n",
            "{\"query\":\"How large was the revenue in 2023?\",\"pos\":[\"Revenue was 10 billion dollars in fiscal 2023.\"]}",
            "{\"query\":\"Who founded the company?\",\"pos\":[\"It was founded by two engineers in 1993.\"]}"));
        var b = d.File("b.jsonl", string.Join("\n",
            "{\"query\":\"who founded THE company?\",\"pos\":[\"Completely unrelated text here.\"]}",                       // exact (case)
            "{\"query\":\"Some other question\",\"pos\":[\"Revenue was 10 billion dollars in fiscal 2023!\"]}"));              // near
        var c = d.File("c.jsonl", "{\"query\":\"Nothing shared at all\",\"pos\":[\"Totally new passage about weather.\"]}\n");
        var r = LeakageChecker.Check([a, b, c]);
        Assert.False(r.Clean);
        Assert.Equal(3, r.Pairs.Count);
        var ab = r.Pairs[0];
        Assert.Equal(1, ab.ExactOverlap);
        Assert.Equal(1, ab.NearDuplicateOverlap);
        Assert.Contains(ab.Examples, e => e.Kind == "exact" && e.LineInB == 1 && e.LineInA == 2);
        Assert.Contains(ab.Examples, e => e.Kind == "near" && e.LineInB == 2 && e.LineInA == 1);
        Assert.All(r.Pairs.Skip(1), p => { Assert.Equal(0, p.ExactOverlap); Assert.Equal(0, p.NearDuplicateOverlap); });
        Assert.Equal(4, r.Files[1].Texts);
    }
}
