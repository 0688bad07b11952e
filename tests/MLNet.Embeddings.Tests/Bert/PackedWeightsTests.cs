using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Kernels;

namespace MLNet.Embeddings.Tests.Bert;

/// <summary>The inference forward's cache of packed weights: same results, and rebuilt when a weight changes.</summary>
[Collection(KernelStateCollection.Name)]
public class PackedWeightsTests
{
    static BertBackbone Model() => BertBackbone.Create(new BertConfig
    {
        VocabSize = 50, HiddenSize = 48, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 80,
        MaxPositionEmbeddings = 40, TypeVocabSize = 2, InitializerRange = 0.3f,
    }, seed: 3);

    static TokenBatch Batch()
    {
        var r = new Random(4);
        int[] lengths = [13, 1, 30, 7];
        var starts = new int[lengths.Length + 1];
        for (int i = 0; i < lengths.Length; i++) starts[i + 1] = starts[i] + lengths[i];
        return new TokenBatch(Enumerable.Range(0, starts[^1]).Select(_ => r.Next(50)).ToArray(), new int[starts[^1]], starts);
    }

    [Fact]
    public void PackedAndUnpackedForwardAgree()
    {
        var model = Model();
        var batch = Batch();
        model.PackWeights = false;
        var plain = model.Forward(batch);
        model.PackWeights = true;
        var packed = model.Forward(batch);
        var again = model.Forward(batch); // from the cache
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], packed[i], 1e-5f);
        Assert.Equal(packed, again);
    }

    [Fact]
    public void ChangedWeightsAreRepacked()
    {
        var model = Model();
        var batch = Batch();
        var before = model.Forward(batch); // packs and caches
        var w = model.Parameters.First(p => p.Name == "encoder.layer.1.intermediate.dense.weight");
        for (int i = 0; i < w.Value.Length; i++) w.Value[i] *= -1.5f;
        w.MarkChanged();
        var after = model.Forward(batch);
        model.PackWeights = false;
        var reference = model.Forward(batch);
        Assert.True(before.Zip(after).Max(p => Math.Abs(p.First - p.Second)) > 1e-2f, "the change should move the output");
        for (int i = 0; i < after.Length; i++) Assert.Equal(reference[i], after[i], 1e-5f);
    }

    [Theory]
    [InlineData(1, 16, 8)]
    [InlineData(13, 33, 257)]
    [InlineData(100, 48, 1100)]
    [InlineData(30, 4100, 20)]
    public void PackedGemmMatchesUnpacked(int m, int n, int k)
    {
        var r = new Random(m + n + k);
        float[] Rand(int len) { var a = new float[len]; for (int i = 0; i < len; i++) a[i] = (float)(r.NextDouble() * 2 - 1); return a; }
        var a = Rand(m * (k + 2)); var w = Rand(n * k); var bias = Rand(n); var c0 = Rand(m * n);
        var packed = Sgemm.PackWeight(w, n, k);
        Assert.Equal(n, packed.N); Assert.Equal(k, packed.K);
        foreach (var beta in new[] { 0f, 1f })
            foreach (var act in new ActivationKind?[] { null, ActivationKind.Gelu })
                foreach (var portable in new[] { false, true })
                {
                    var expected = (float[])c0.Clone(); var actual = (float[])c0.Clone();
                    Sgemm.ForcePortable = portable;
                    try
                    {
                        Sgemm.Gemm(false, true, m, n, k, 1f, a, k + 2, w, k, beta, expected, n, bias: bias, activation: act);
                        Sgemm.Gemm(m, a, k + 2, packed, beta, actual, n, bias: bias, activation: act);
                    }
                    finally { Sgemm.ForcePortable = false; }
                    Assert.Equal(expected, actual);
                }
    }
}
