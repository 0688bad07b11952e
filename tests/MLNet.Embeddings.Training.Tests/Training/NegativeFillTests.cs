using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.Training.Tests.Training;

/// <summary>FlagEmbedding's group semantics: one count of hard negatives per row, short rows filled, seeded.</summary>
public class NegativeFillTests
{
    static TrainingExample Row(int line, string q, string pos, params string[] neg) =>
        new() { Query = q, Pos = { pos }, Neg = neg.ToList(), Line = line };

    static List<TrainingExample> Mixed() =>
    [
        Row(1, "q1", "p1", "n1a", "n1b", "n1c"),
        Row(2, "q2", "p2", "n2a", "n2b", "n2c"),
        Row(3, "q3", "p3", "n3a", "n3b", "n3c"),
        Row(4, "q4", "p4", "n4a"),                 // short: filled from its own
        Row(5, "q5", "n1a"),                       // none, and its positive is another row's negative
        Row(6, "q6", "p6", "n6a", "n6b", "n6c", "n6d"),
    ];

    static ColumnPlan Plan(List<TrainingExample> rows, int? perRow = null, int seed = 42, ILoss? loss = null) =>
        ColumnPlan.Create(loss ?? new MultipleNegativesRankingLoss(), rows, new TrainerOptions { NegativesPerRow = perRow, Seed = seed }, "train.jsonl");

    [Fact]
    public void DefaultCountIsWhatMostRowsHaveAndShortRowsAreFilled()
    {
        var rows = Mixed();
        var plan = Plan(rows);
        Assert.Equal(3, plan.Negatives);
        Assert.Equal(2, plan.RowsFilled);
        Assert.All(plan.Rows, r => Assert.True(r.Neg.Count >= 3));
        // own negatives first, then samples of them (with replacement)
        Assert.Equal(["n4a", "n4a", "n4a"], plan.Rows[3].Neg);
        // a row without negatives borrows other rows' negatives, never its own positive
        var borrowed = plan.Rows[4].Neg;
        Assert.Equal(3, borrowed.Count);
        Assert.DoesNotContain("n1a", borrowed);
        var pool = rows.SelectMany(r => r.Neg).ToHashSet();
        Assert.All(borrowed, n => Assert.Contains(n, pool));
        // full rows are the very same objects; the caller's rows are unchanged
        Assert.Same(rows[0], plan.Rows[0]);
        Assert.Single(rows[3].Neg);
        Assert.Empty(rows[4].Neg);
        Assert.Contains("3 per row (most rows have 3: 3 of 6", plan.Message);
        Assert.Contains("2 row(s) filled: 1 by sampling their own negatives, 1 without any from other rows' negatives", plan.Message);
    }

    [Fact]
    public void FillingIsSeeded()
    {
        var rows = Mixed();
        rows[3].Neg.Add("n4b");
        var a = Plan(rows, perRow: 4, seed: 1);
        var b = Plan(rows, perRow: 4, seed: 1);
        Assert.Equal(a.Rows.Select(r => string.Join("|", r.Neg)), b.Rows.Select(r => string.Join("|", r.Neg)));
        Assert.Equal(5, a.RowsFilled); // rows 1-5 have fewer than 4
        Assert.Contains("4 per row (as set by TrainerOptions.NegativesPerRow", a.Message);
        var seeds = Enumerable.Range(0, 8).Select(s => string.Join("|", Plan(rows, perRow: 4, seed: s).Rows[4].Neg)).Distinct().Count();
        Assert.True(seeds > 1, "a different seed should give a different fill");
    }

    [Fact]
    public void ARowWhoseOnlyCandidatesAreItsPositivesIsAnErrorWithItsLine()
    {
        var rows = new List<TrainingExample> { Row(1, "q1", "p1", "p2"), Row(2, "q2", "p2") };
        var ex = Assert.Throws<DatasetFormatException>(() => Plan(rows, perRow: 1));
        Assert.Equal((2, "neg"), (ex.Line, ex.Field));
    }

    [Fact]
    public void TeacherScoresFollowTheirNegativesAndRowsWithoutNegativesAreSkipped()
    {
        var rows = new List<TrainingExample>
        {
            new() { Query = "q1", Pos = { "p1" }, Neg = { "a", "b" }, PosScores = [0.9f], NegScores = [0.5f, 0.4f], Line = 1 },
            new() { Query = "q2", Pos = { "p2" }, Neg = { "c", "d" }, PosScores = [0.9f], NegScores = [0.3f, 0.2f], Line = 2 },
            new() { Query = "q3", Pos = { "p3" }, Neg = { "e" }, PosScores = [0.8f], NegScores = [0.1f], Line = 3 },
        };
        var plan = Plan(rows, loss: new MarginMseLoss());
        Assert.Equal(["e", "e"], plan.Rows[2].Neg);
        Assert.Equal([0.1f, 0.1f], plan.Rows[2].NegScores!);
        // A row without negatives cannot borrow other rows' (they have no teacher score for it): it is left out and counted,
        // so that `data mine` (which leaves such rows) → `data score` → `train --loss margin-mse` runs.
        rows.Insert(1, new() { Query = "q4", Pos = { "p4" }, PosScores = [0.7f], Line = 4 });
        var skipping = Plan(rows, loss: new MarginMseLoss());
        Assert.Equal(["q1", "q2", "q3"], skipping.Rows.Select(r => r.Query));
        Assert.Equal([0.1f, 0.1f], skipping.Rows[2].NegScores!);
        Assert.Contains("1 row(s) without negatives skipped", skipping.Message);
        // Rows after a skipped one are still named by their own line.
        rows[3].NegScores = [0.1f, 0.05f]; rows[3].Neg.Add("f"); rows[2].NegScores = null;
        var ex = Assert.Throws<DatasetFormatException>(() => Plan(rows, loss: new MarginMseLoss()));
        Assert.Equal((2, "neg_scores"), (ex.Line, ex.Field));
    }

    [Fact]
    public void ZeroMeansInBatchNegativesOnly()
    {
        var plan = Plan(Mixed(), perRow: 0);
        Assert.Equal(0, plan.Negatives);
        Assert.Equal(0, plan.RowsFilled);
        Assert.Contains("in-batch negatives only", plan.Message);
        var pairs = new List<TrainingExample> { Row(1, "q", "p"), Row(2, "r", "s") };
        Assert.Null(Plan(pairs).Message); // plain pairs: nothing to say
    }
}
