using System.Text.Json;
using MLNet.Embeddings.Backbones;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>Expected outputs written by tools/fixtures/make_onnx_fixture.py (plain-torch BERT, float32).</summary>
internal sealed class Reference
{
    public required int HiddenSize { get; init; }
    public required List<Sequence> Sequences { get; init; }

    public sealed record Sequence(int[] Ids, int[] Types, float[] Hidden, float[] MeanNormalized);

    public static Reference Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(OrtTestEnvironment.Fixture("expected.json")));
        var root = doc.RootElement;
        return new Reference
        {
            HiddenSize = root.GetProperty("hidden_size").GetInt32(),
            Sequences = root.GetProperty("sequences").EnumerateArray().Select(s => new Sequence(
                s.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
                s.GetProperty("types").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
                s.GetProperty("last_hidden_state").EnumerateArray().Select(x => x.GetSingle()).ToArray(),
                s.GetProperty("mean_normalized").EnumerateArray().Select(x => x.GetSingle()).ToArray())).ToList(),
        };
    }

    public TokenBatch Batch()
    {
        var starts = new int[Sequences.Count + 1];
        for (int i = 0; i < Sequences.Count; i++) starts[i + 1] = starts[i] + Sequences[i].Ids.Length;
        return new TokenBatch(Sequences.SelectMany(s => s.Ids).ToArray(), Sequences.SelectMany(s => s.Types).ToArray(), starts);
    }

    public float[] PackedHidden() => Sequences.SelectMany(s => s.Hidden).ToArray();

    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        float worst = 0; int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            float d = Math.Abs(expected[i] - actual[i]);
            if (!(d <= worst)) { worst = d; at = i; }
        }
        Assert.True(worst <= tolerance, $"max |diff| = {worst} at {at} (expected {expected[Math.Max(at, 0)]}, got {actual[Math.Max(at, 0)]}), tolerance {tolerance}");
    }
}
