using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML;
using MLNet.Embeddings.Scoring;

namespace MLNet.Embeddings.ML.Tests;

public sealed class SimilarityTests
{
    public sealed class Row
    {
        [VectorType(5)] public float[] A { get; set; } = [];
        [VectorType(5)] public float[] B { get; set; } = [];
    }

    [Theory]
    [InlineData(SimilarityFunction.Cosine)]
    [InlineData(SimilarityFunction.Dot)]
    [InlineData(SimilarityFunction.Euclidean)]
    [InlineData(SimilarityFunction.Manhattan)]
    public void MatchesVectorSimilarityAndReloads(SimilarityFunction function)
    {
        var rng = new Random(3);
        var rows = Enumerable.Range(0, 20).Select(_ => new Row
        {
            A = Enumerable.Range(0, 5).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray(),
            B = Enumerable.Range(0, 5).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray(),
        }).ToArray();
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(rows);
        var t = ml.Transforms.ScoreSimilarity("S", "A", "B", function).Fit(data);
        var got = t.Transform(data).GetColumn<float>("S").ToArray();
        for (int i = 0; i < rows.Length; i++) Assert.Equal(VectorSimilarity.Score(function, rows[i].A, rows[i].B), got[i]);
        if (function is SimilarityFunction.Euclidean) Assert.All(got, v => Assert.True(v <= 0)); // negative distance

        string zip = Path.Combine(TestData.TempDir(), "s.zip");
        ml.Model.Save(t, data.Schema, zip);
        Assert.Equal(got, new MLContext().Model.Load(zip, out _).Transform(data).GetColumn<float>("S").ToArray());
        Assert.DoesNotContain(t.Transform(data).Schema, c => c.Name.StartsWith("__mlnetemb_"));
    }
}
