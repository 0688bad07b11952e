using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML;
using MLNet.Embeddings.Training.Evaluation;
using Xunit.Abstractions;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>The real all-MiniLM-L6-v2 inside an ML.NET pipeline: ApplyEmbedding + ScoreSimilarity on STS-B test.</summary>
public sealed class MiniLmStsTests(ITestOutputHelper output)
{
    public sealed class Pair
    {
        public string A { get; set; } = "";
        public string B { get; set; } = "";
        public float Score { get; set; }
    }

    [Fact]
    public void StsTestSpearmanThroughApplyEmbeddingAndScoreSimilarityIsThePublished0_8203()
    {
        var ml = new MLContext(seed: 1);
        var pairs = TestData.StsFile(TestData.StsTest);
        Assert.Equal(1379, pairs.Count);
        var data = ml.Data.LoadFromEnumerable(pairs.Select(p => new Pair { A = p.A, B = p.B, Score = p.Score }));
        var scored = ml.Transforms.ApplyEmbedding([new InputOutputColumnPair("EA", "A"), new InputOutputColumnPair("EB", "B")], TestData.MiniLm)
            .Append(ml.Transforms.ScoreSimilarity("Sim", "EA", "EB"))
            .Fit(data).Transform(data);
        var sim = scored.GetColumn<float>("Sim").Select(x => (double)x).ToList();
        var gold = scored.GetColumn<float>("Score").Select(x => (double)x).ToList();
        double rho = CorrelationMetrics.Spearman(gold, sim);
        output.WriteLine($"STS-B test cosine Spearman, ApplyEmbedding + ScoreSimilarity (all-MiniLM-L6-v2): {rho:F4}");
        Assert.InRange(rho, 0.8198, 0.8208);
    }
}
