using System.Text.Json;
using MLNet.Embeddings.Tensors;
using MLNet.Embeddings.Training.Losses;

namespace MLNet.Embeddings.Training.Tests.Losses;

/// <summary>Each loss against PyTorch autograd (tools/fixtures/make_loss_fixtures.py): loss within 1e-4, gradients within 1e-3 relative.</summary>
public class TorchLossParityTests
{
    static readonly Lazy<JsonElement[]> Cases = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("losses", "losses.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone()).ToArray();
    });

    public static IEnumerable<object[]> CaseIndices() =>
        Enumerable.Range(0, 21).Select(i => new object[] { i });

    internal static Matrix ReadMatrix(JsonElement rows) =>
        Matrix.FromRows(rows.EnumerateArray().Select(r => r.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToArray());

    static float P(JsonElement p, string name, float dflt) => p.TryGetProperty(name, out var v) ? (float)v.GetDouble() : dflt;
    static DistanceMetric Dist(JsonElement p) => p.GetProperty("distance").GetString() == "cosine" ? DistanceMetric.Cosine : DistanceMetric.Euclidean;

    internal static ILoss Build(string name, JsonElement p) => name switch
    {
        "mnrl" => new MultipleNegativesRankingLoss { Scale = P(p, "scale", 20f), ExcludeDuplicates = p.TryGetProperty("exclude_duplicates", out _) },
        "mnrl-symmetric" => new MultipleNegativesRankingLoss { Symmetric = true, ExcludeDuplicates = p.TryGetProperty("exclude_duplicates", out _) },
        "cosine" => new CosineSimilarityLoss(),
        "cosent" => new CoSentLoss { Scale = P(p, "scale", 20f) },
        "triplet" => new TripletLoss { Distance = Dist(p), Margin = P(p, "margin", 0) },
        "contrastive" => new ContrastiveLoss { Distance = Dist(p), Margin = P(p, "margin", 0) },
        "online-contrastive" => new OnlineContrastiveLoss { Distance = Dist(p), Margin = P(p, "margin", 0) },
        "margin-mse" => new MarginMseLoss { Cosine = p.TryGetProperty("cosine", out _) },
        "distill" => new DistillKLDivLoss { Scale = P(p, "scale", 20f), TeacherTemperature = P(p, "teacher_temperature", 1f) },
        "matryoshka-mnrl" => new MatryoshkaLoss(new MultipleNegativesRankingLoss(), Ints(p, "dims"), Floats(p, "weights")),
        "matryoshka-cosent" => new MatryoshkaLoss(new CoSentLoss(), Ints(p, "dims"), Floats(p, "weights")),
        _ => throw new ArgumentException(name),
    };

    static int[] Ints(JsonElement p, string n) => p.GetProperty(n).EnumerateArray().Select(v => v.GetInt32()).ToArray();
    static float[] Floats(JsonElement p, string n) => p.GetProperty(n).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    internal static LossInput Input(JsonElement c) => new()
    {
        Columns = c.GetProperty("columns").EnumerateArray().Select(ReadMatrix).ToArray(),
        Labels = c.TryGetProperty("labels", out var l) ? l.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray() : null,
        TeacherScores = c.TryGetProperty("teacher", out var t) ? ReadMatrix(t) : null,
        TextIds = c.TryGetProperty("text_ids", out var ids) ? ids.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray() : null,
    };

    [Fact]
    public void FixtureHasAllCases() => Assert.Equal(21, Cases.Value.Length);

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void MatchesTorch(int index)
    {
        var c = Cases.Value[index];
        var loss = Build(c.GetProperty("name").GetString()!, c.GetProperty("params"));
        var result = loss.Compute(Input(c));
        double expected = c.GetProperty("loss").GetDouble();
        Assert.True(Math.Abs(result.Loss - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected)),
            $"{loss.Name}: loss {result.Loss} vs torch {expected}");
        var grads = c.GetProperty("grads").EnumerateArray().Select(ReadMatrix).ToArray();
        Assert.Equal(grads.Length, result.Gradients.Length);
        for (int k = 0; k < grads.Length; k++)
        {
            float scale = grads[k].Data.Max(MathF.Abs);
            for (int i = 0; i < grads[k].Data.Length; i++)
                Assert.True(MathF.Abs(result.Gradients[k].Data[i] - grads[k].Data[i]) <= 1e-3f * scale + 1e-6f,
                    $"{loss.Name}: column {k} value {i}: {result.Gradients[k].Data[i]} vs torch {grads[k].Data[i]}");
        }
    }
}
