using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Reranking;

namespace MLNet.Embeddings.Training.Tests.Reranking;

/// <summary>Teacher scores and the false-negative filter against the cross-encoder's own predictions.</summary>
public class TeacherScoresTests
{
    static CrossEncoder Model() => CrossEncoder.Load(TestPaths.Fixture("reranker", "listwise"));
    static List<TrainingExample> Rows() => TrainingDataReader.Read(TestPaths.Fixture("reranker", "listwise", "train.jsonl")).ToList();

    [Fact]
    public void ScoresAreTheCrossEncodersLogitsInRowOrder()
    {
        var model = Model(); var rows = Rows();
        TeacherScores.Score(rows, TeacherScores.From(model), rowsPerChunk: 3);
        foreach (var r in rows)
        {
            var want = model.PredictLogits(r.Pos.Concat(r.Neg).Select(d => (r.Query, d)).ToArray()).Select(l => l[0]).ToArray();
            Assert.Equal(want.Take(r.Pos.Count), r.PosScores!, new FloatEq());
            Assert.Equal(want.Skip(r.Pos.Count), r.NegScores!, new FloatEq());
        }
    }

    [Fact]
    public void FilterDropsExactlyTheNegativesWithinTheMargin()
    {
        var model = Model(); var rows = Rows();
        var original = rows.Select(r => r.Neg.ToList()).ToList();
        const float absolute = 0.01f;
        long dropped = TeacherScores.FilterFalseNegatives(rows, model, null, absolute);
        long expectedDropped = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            var s = model.Predict(new[] { rows[i].Pos[0] }.Concat(original[i]).Select(d => (rows[i].Query, d)).ToArray());
            var keep = original[i].Where((_, j) => s[j + 1] <= s[0] - absolute).ToList();
            expectedDropped += original[i].Count - keep.Count;
            Assert.Equal(keep, rows[i].Neg);
        }
        Assert.Equal(expectedDropped, dropped);
        Assert.True(dropped > 0 && dropped < original.Sum(n => n.Count), $"dropped {dropped}: the fixture should exercise both branches");
    }

    sealed class FloatEq : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) < 1e-5;
        public int GetHashCode(float f) => 0;
    }
}
