using System.Text.Json;
using MLNet.Embeddings.Tensors;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.Training.Tests.Training;

public class OptimizerTests
{
    static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    [Fact]
    public void AdamWWithScheduleAndClippingMatchesTorch()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("training", "adamw.json")));
        var root = doc.RootElement;
        var shapes = root.GetProperty("shapes").EnumerateObject().ToArray();
        var ps = shapes.Select(s => new Parameter(s.Name, s.Value.EnumerateArray().Select(v => v.GetInt32()).ToArray(),
            Floats(root.GetProperty("init").GetProperty(s.Name)))).ToArray();
        int steps = root.GetProperty("steps").GetInt32(), warmup = root.GetProperty("warmup").GetInt32();
        float lr = (float)root.GetProperty("lr").GetDouble();
        var opt = new AdamW(ps, weightDecay: (float)root.GetProperty("weight_decay").GetDouble());
        var grads = root.GetProperty("grads").EnumerateArray().ToArray();
        var lrs = Floats(root.GetProperty("lrs")); var norms = Floats(root.GetProperty("norms"));
        for (int s = 0; s < steps; s++)
        {
            foreach (var p in ps) Floats(grads[s].GetProperty(p.Name)).CopyTo(p.Grad, 0);
            double norm = GradientClipping.ClipByGlobalNorm(ps, 1.0);
            Assert.Equal(norms[s], norm, 4);
            float stepLr = (float)(lr * Schedule.Factor(LearningRateSchedule.Linear, s, warmup, steps));
            Assert.Equal(lrs[s], stepLr, 6);
            opt.Update(stepLr);
        }
        foreach (var p in ps)
        {
            var expected = Floats(root.GetProperty("final").GetProperty(p.Name));
            for (int i = 0; i < expected.Length; i++) Assert.True(MathF.Abs(expected[i] - p.Value[i]) < 1e-5f, $"{p.Name}[{i}]: {p.Value[i]} vs torch {expected[i]}");
        }
        Assert.Equal(steps, opt.Step);
    }

    [Fact]
    public void NoWeightDecayOnBiasAndLayerNorm()
    {
        var w = new Parameter("dense.weight", new[] { 2 }, new[] { 1f, 1f });
        var b = new Parameter("dense.bias", new[] { 2 }, new[] { 1f, 1f });
        _ = w.Grad; _ = b.Grad; // zero gradients: only decay can move the values
        new AdamW(new[] { w, b }, weightDecay: 0.5f).Update(0.1f);
        Assert.Equal(0.95f, w.Value[0], 6);
        Assert.Equal(1f, b.Value[0]);
    }

    [Fact]
    public void SparseRowsUpdateOnlyTouchedRows()
    {
        var dense = new Parameter("emb.weight", new[] { 3, 2 }, new[] { 1f, 2f, 3f, 4f, 5f, 6f });
        var sparse = new Parameter("emb.weight", new[] { 3, 2 }, new[] { 1f, 2f, 3f, 4f, 5f, 6f }) { TouchedRows = new HashSet<int> { 1 } };
        foreach (var p in new[] { dense, sparse }) { p.Grad[2] = 0.5f; p.Grad[3] = -1f; }
        new AdamW(new[] { dense }, weightDecay: 0f).Update(0.1f);
        var opt = new AdamW(new[] { sparse }, weightDecay: 0.3f);
        opt.Update(0.1f);
        Assert.Equal(new[] { 1f, 2f, 5f, 6f }, new[] { sparse.Value[0], sparse.Value[1], sparse.Value[4], sparse.Value[5] });
        Assert.NotEqual(3f, sparse.Value[2]);
        Assert.Equal(dense.Value[2] * 1, sparse.Value[2] + 0.1f * 0.3f * 3f, 5); // decay applies to the touched row only
        Assert.Empty(sparse.TouchedRows!);
    }

    [Theory]
    [InlineData(LearningRateSchedule.Linear, 0, 0.0)]
    [InlineData(LearningRateSchedule.Linear, 5, 0.5)]
    [InlineData(LearningRateSchedule.Linear, 10, 1.0)]
    [InlineData(LearningRateSchedule.Linear, 55, 0.5)]
    [InlineData(LearningRateSchedule.Linear, 100, 0.0)]
    [InlineData(LearningRateSchedule.Constant, 3, 0.3)]
    [InlineData(LearningRateSchedule.Constant, 90, 1.0)]
    [InlineData(LearningRateSchedule.Cosine, 55, 0.5)]
    [InlineData(LearningRateSchedule.Cosine, 10, 1.0)]
    public void SchedulesFollowHuggingFace(LearningRateSchedule kind, int step, double expected)
    {
        Assert.Equal(expected, Schedule.Factor(kind, step, warmupSteps: 10, totalSteps: 100), 9);
    }

    [Fact]
    public void WarmupRatioRoundsUp() => Assert.Equal(11, Schedule.WarmupSteps(101, 0.1));

    [Fact]
    public void ClippingLeavesSmallGradientsAlone()
    {
        var p = new Parameter("x", new[] { 2 }, new float[2]);
        p.Grad[0] = 0.3f; p.Grad[1] = 0.4f;
        Assert.Equal(0.5, GradientClipping.ClipByGlobalNorm(new[] { p }, 1.0), 6);
        Assert.Equal(0.3f, p.Grad[0]);
        p.Grad[0] = 3f; p.Grad[1] = 4f;
        GradientClipping.ClipByGlobalNorm(new[] { p }, 1.0);
        Assert.Equal(0.6f, p.Grad[0], 5);
    }
}
