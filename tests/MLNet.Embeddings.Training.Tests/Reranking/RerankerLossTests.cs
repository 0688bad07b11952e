using System.Text.Json;
using MLNet.Embeddings.Training.Reranking;

namespace MLNet.Embeddings.Training.Tests.Reranking;

/// <summary>The reranker losses against PyTorch autograd (tools/fixtures/make_reranker_train_fixture.py) and finite differences.</summary>
public class RerankerLossTests
{
    static JsonElement Case(string name)
    {
        var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("reranker", "losses.json")));
        return doc.RootElement.GetProperty(name);
    }

    static float[] F(JsonElement e, string field) => e.GetProperty(field).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    static void AssertGrad(float[] want, float[] got)
    {
        double scale = want.Max(v => Math.Abs(v));
        for (int i = 0; i < want.Length; i++) Assert.True(Math.Abs(want[i] - got[i]) <= 1e-3 * scale, $"[{i}] {got[i]} vs torch {want[i]}");
    }

    [Fact]
    public void BinaryCrossEntropyMatchesTorch()
    {
        var c = Case("bce");
        var logits = F(c, "logits"); var grad = new float[logits.Length];
        double loss = RerankerLosses.BinaryCrossEntropy(logits, F(c, "labels"), grad);
        Assert.Equal(c.GetProperty("loss").GetDouble(), loss, 5);
        AssertGrad(F(c, "grad"), grad);
    }

    [Fact]
    public void ListwiseMatchesTorch()
    {
        var c = Case("listwise");
        var logits = F(c, "logits"); var grad = new float[logits.Length];
        double loss = RerankerLosses.Listwise(logits, c.GetProperty("group_size").GetInt32(), grad);
        Assert.Equal(c.GetProperty("loss").GetDouble(), loss, 5);
        AssertGrad(F(c, "grad"), grad);
    }

    [Fact]
    public void MarginMseMatchesTorch()
    {
        var c = Case("margin_mse");
        var logits = F(c, "logits"); var grad = new float[logits.Length];
        double loss = RerankerLosses.MarginMse(logits, F(c, "teacher"), c.GetProperty("group_size").GetInt32(), grad);
        Assert.Equal(c.GetProperty("loss").GetDouble(), loss, 4);
        AssertGrad(F(c, "grad"), grad);
    }

    [Theory]
    [InlineData(RerankerLoss.Bce)]
    [InlineData(RerankerLoss.Listwise)]
    [InlineData(RerankerLoss.MarginMse)]
    public void GradientsMatchFiniteDifferences(RerankerLoss kind)
    {
        var r = new Random(7);
        var logits = Enumerable.Range(0, 12).Select(_ => (float)(r.NextDouble() * 4 - 2)).ToArray();
        var targets = Enumerable.Range(0, 12).Select(_ => kind == RerankerLoss.Bce ? (float)r.NextDouble() : (float)(r.NextDouble() * 6 - 3)).ToArray();
        var grad = new float[12];
        RerankerLosses.Compute(kind, logits, targets, 4, grad);
        for (int i = 0; i < 12; i++)
        {
            const float h = 1e-2f;
            var plus = (float[])logits.Clone(); plus[i] += h;
            var minus = (float[])logits.Clone(); minus[i] -= h;
            double fd = (RerankerLosses.Compute(kind, plus, targets, 4, new float[12]) - RerankerLosses.Compute(kind, minus, targets, 4, new float[12])) / (2 * h);
            Assert.True(Math.Abs(fd - grad[i]) <= 1e-3 * Math.Max(1e-2, Math.Abs(fd)), $"{kind}[{i}]: {grad[i]} vs finite difference {fd}");
        }
    }

    [Fact]
    public void BadShapesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => RerankerLosses.Listwise(new float[7], 4, new float[7]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RerankerLosses.MarginMse(new float[4], new float[4], 1, new float[4]));
        Assert.Throws<ArgumentException>(() => RerankerLosses.BinaryCrossEntropy(new float[3], new float[2], new float[3]));
    }
}
