using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Tests.Data;

public class DataAugmenterTests
{
    private static Thesaurus Thes()
    {
        var t = new Thesaurus();
        t.AddGroup(["revenue", "sales", "turnover"]);
        t.AddGroup(["big", "large"]);
        return t;
    }

    [Fact]
    public void OperationsChangeTextAsSpecified()
    {
        var o = new AugmentOptions { Thesaurus = Thes(), Rate = 0.2 };
        var rng = new Random(1);
        const string text = "the revenue was big this year for the whole company";
        var syn = DataAugmenter.Apply(AugmentOperation.Synonym, text, o, rng);
        Assert.DoesNotContain("revenue", syn.Split(' '));   // n = round(0.2 × 10) = 2 = both words that have synonyms
        Assert.DoesNotContain("big", syn.Split(' '));
        Assert.Equal(text.Split(' ').Length, syn.Split(' ').Length);
        Assert.True(syn.Contains("sales") || syn.Contains("turnover") || syn.Contains("large"), syn);

        var ins = DataAugmenter.Apply(AugmentOperation.Insert, text, o, rng);
        Assert.Equal(text.Split(' ').Length + 2, ins.Split(' ').Length);   // n = round(0.2 × 10) = 2

        var swap = DataAugmenter.Apply(AugmentOperation.Swap, text, o, rng);
        Assert.Equal(text.Split(' ').Order(), swap.Split(' ').Order());

        var del = DataAugmenter.Apply(AugmentOperation.Delete, text, new AugmentOptions { Rate = 0.5 }, rng);
        Assert.InRange(del.Split(' ').Length, 1, 9);
        Assert.All(del.Split(' '), w => Assert.Contains(w, text.Split(' ')));
        Assert.Equal("single", DataAugmenter.Apply(AugmentOperation.Delete, "single", new AugmentOptions { Rate = 1 }, rng));
    }

    [Fact]
    public void MarksCopiesKeepsPositivesAndIsSeeded()
    {
        var rows = Enumerable.Range(0, 20).Select(i => new TrainingExample { Query = $"what was the revenue of company number {i} last year", Pos = [$"passage {i}"] }).ToList();
        List<TrainingExample> Run(int seed)
        {
            var rep = new AugmentReport();
            var r = DataAugmenter.Augment(rows, new AugmentOptions { Thesaurus = Thes(), Seed = seed, Operations = [AugmentOperation.Swap, AugmentOperation.Synonym] }, rep).ToList();
            Assert.Equal(rep.RowsWritten, r.Count);
            Assert.Equal(20, rep.Augmented["synonym"]);
            return r;
        }
        var a = Run(3);
        Assert.Equal(60, a.Count);
        Assert.Equal(rows[0].Query, a[0].Query);
        Assert.Equal("swap", a[1].Extra!["augmented"].GetString());
        Assert.Equal("synonym", a[2].Extra!["augmented"].GetString());
        Assert.Equal(rows[0].Pos, a[2].Pos);
        Assert.Equal(a.Select(r => r.Query), Run(3).Select(r => r.Query));
        Assert.NotEqual(a.Select(r => r.Query), Run(4).Select(r => r.Query));
    }

    [Fact]
    public void ThesaurusFileAcceptsCommasAndTabsAndNamesBadLines()
    {
        using var d = new TempDir();
        var t = Thesaurus.Load(d.File("t.txt", "# comment\nrevenue, Sales\nbig\tlarge\thuge\n\n"));
        Assert.Equal(["Sales"], t.SynonymsOf("REVENUE"));
        Assert.Equal(["big", "large"], t.SynonymsOf("huge"));
        var ex = Assert.Throws<DatasetFormatException>(() => Thesaurus.Load(d.File("bad.txt", "a,b\nlonely\n")));
        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void InBatchExpansionAddsOtherPositivesNeverOwnTexts()
    {
        var rows = Enumerable.Range(0, 7).Select(i => new TrainingExample { Query = $"q{i}", Pos = [$"p{i}"] }).ToList();
        rows[3].Pos.Add("p2");   // shares a text with row 2
        var asym = InBatchExpansion.Expand(rows, 4);
        Assert.Equal(["p1", "p2", "p3"], asym[0].Neg);
        Assert.Equal(["p0", "p1", "p3"], asym[2].Neg);
        Assert.Equal(["p0", "p1"], asym[3].Neg);           // p2 is its own positive
        Assert.Equal(["p5", "p6"], asym[4].Neg);            // last batch has 3 rows
        var sym = InBatchExpansion.Expand(rows, 4, symmetric: true);
        Assert.Equal(["p1", "q1", "p2", "q2", "p3", "q3"], sym[0].Neg);
        Assert.Empty(rows[0].Neg);                          // inputs untouched
    }
}
