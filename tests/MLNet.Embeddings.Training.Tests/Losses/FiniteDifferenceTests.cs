using MLNet.Embeddings.Tensors;
using MLNet.Embeddings.Training.Losses;

namespace MLNet.Embeddings.Training.Tests.Losses;

/// <summary>Analytic gradients of every loss against central finite differences on random inputs.</summary>
public class FiniteDifferenceTests
{
    static Matrix Random(Random rng, int rows, int cols)
    {
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        return m;
    }

    public static IEnumerable<object[]> Losses() => new[]
    {
        new object[] { "mnrl", 3, LossColumns.Anchor },
        new object[] { "mnrl-symmetric", 2, LossColumns.Anchor },
        new object[] { "cosine", 2, LossColumns.Score },
        new object[] { "cosent", 2, LossColumns.Score },
        new object[] { "triplet-euclid", 3, LossColumns.Anchor },
        new object[] { "triplet-cos", 3, LossColumns.Anchor },
        new object[] { "contrastive", 2, LossColumns.Label },
        new object[] { "margin-mse", 4, LossColumns.TeacherScores },
        new object[] { "distill", 4, LossColumns.TeacherScores },
        new object[] { "matryoshka", 2, LossColumns.Anchor },
    };

    static ILoss Make(string name) => name switch
    {
        "mnrl" => new MultipleNegativesRankingLoss { Scale = 5 },
        "mnrl-symmetric" => new MultipleNegativesRankingLoss { Scale = 5, Symmetric = true },
        "cosine" => new CosineSimilarityLoss(),
        "cosent" => new CoSentLoss { Scale = 5 },
        "triplet-euclid" => new TripletLoss { Margin = 3 },
        "triplet-cos" => new TripletLoss { Distance = DistanceMetric.Cosine, Margin = 1.5f },
        "contrastive" => new ContrastiveLoss { Margin = 0.9f },
        "margin-mse" => new MarginMseLoss(),
        "distill" => new DistillKLDivLoss { Scale = 3 },
        "matryoshka" => new MatryoshkaLoss(new MultipleNegativesRankingLoss { Scale = 5 }, new[] { 6, 3 }, new[] { 1f, 0.5f }),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Losses))]
    public void GradientMatchesFiniteDifferences(string name, int columns, LossColumns extra)
    {
        var rng = new Random(7);
        const int b = 4, d = 6;
        var cols = Enumerable.Range(0, columns).Select(_ => Random(rng, b, d)).ToArray();
        float[]? labels = extra switch
        {
            LossColumns.Score => new[] { 0.2f, 0.9f, 0.5f, 0.1f },
            LossColumns.Label => new[] { 1f, 0f, 1f, 0f },
            _ => null,
        };
        var teacher = extra == LossColumns.TeacherScores ? Random(rng, b, columns - 1) : null;
        var loss = Make(name);
        LossInput In() => new() { Columns = cols, Labels = labels, TeacherScores = teacher };
        var analytic = loss.Compute(In());
        const float h = 1e-3f;
        for (int c = 0; c < columns; c++)
            for (int i = 0; i < cols[c].Data.Length; i++)
            {
                float keep = cols[c].Data[i];
                cols[c].Data[i] = keep + h; double up = loss.Compute(In()).Loss;
                cols[c].Data[i] = keep - h; double down = loss.Compute(In()).Loss;
                cols[c].Data[i] = keep;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic.Gradients[c].Data[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric),
                    $"{name}: column {c} value {i}: analytic {analytic.Gradients[c].Data[i]} vs numeric {numeric}");
            }
    }

    [Fact]
    public void SimCseIsMnrlOverTwoViews()
    {
        var rng = new Random(3);
        var cols = new[] { Random(rng, 5, 4), Random(rng, 5, 4) };
        var a = new SimCseLoss().Compute(new LossInput { Columns = cols });
        var b = new MultipleNegativesRankingLoss().Compute(new LossInput { Columns = cols });
        Assert.Equal(b.Loss, a.Loss);
        Assert.Equal(LossColumns.Anchor, new SimCseLoss().Columns);
        Assert.Throws<ArgumentException>(() => new SimCseLoss().Compute(new LossInput { Columns = new[] { cols[0] } }));
    }

    [Fact]
    public void ExcludeDuplicatesNeedsTextIds()
    {
        var rng = new Random(3);
        var cols = new[] { Random(rng, 3, 4), Random(rng, 3, 4) };
        Assert.Throws<ArgumentException>(() => new MultipleNegativesRankingLoss { ExcludeDuplicates = true }.Compute(new LossInput { Columns = cols }));
    }
}
