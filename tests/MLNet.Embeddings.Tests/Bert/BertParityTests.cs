using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;

namespace MLNet.Embeddings.Tests.Bert;

/// <summary>Our BERT against the plain-PyTorch reference (tools/fixtures/make_bert_fixture.py).</summary>
[Collection(KernelStateCollection.Name)]
public class BertParityTests
{
    public static TheoryData<string> Fixtures => new() { "tiny-gelu", "small-gelu-new", "tiny-roberta-relu" };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void ForwardMatchesPyTorch(string name)
    {
        var model = BertFixture.Model(name);
        var batch = BertFixture.Batch(name);
        var expected = BertFixture.Expected(name)["last_hidden_state"];
        var output = model.Forward(batch);
        Assert.Equal(expected.Value.Length, output.Length);
        Assert.True(BertFixture.MaxAbsDiff(output, expected.Value) < 1e-4, $"max abs diff {BertFixture.MaxAbsDiff(output, expected.Value)}");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void MeanPoolingOfOutputMatchesFixture(string name)
    {
        // Sanity check of the fixture's pooled values (the pooling area tests all modes against them).
        var model = BertFixture.Model(name);
        var batch = BertFixture.Batch(name);
        var pooled = BertFixture.Expected(name)["pooled.mean"].Value;
        var output = model.Forward(batch);
        int h = model.HiddenSize;
        for (int s = 0; s < batch.Count; s++)
            for (int j = 0; j < h; j++)
            {
                double sum = 0;
                for (int t = batch.Starts[s]; t < batch.Starts[s + 1]; t++) sum += output[t * h + j];
                Assert.True(Math.Abs(sum / batch.Length(s) - pooled[s * h + j]) < 1e-4);
            }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void GradientsMatchPyTorchAutograd(string name)
    {
        var model = BertFixture.Model(name);
        model.HiddenDropout = 0; model.AttentionDropout = 0;
        var batch = BertFixture.Batch(name);
        var expected = BertFixture.Expected(name);
        var acts = model.ForwardTrain(batch, 1234);
        Assert.True(BertFixture.MaxAbsDiff(acts.Output, expected["last_hidden_state"].Value) < 1e-4);
        model.Backward(acts, expected["R"].Value);
        int checkedCount = 0;
        foreach (var p in model.Parameters)
        {
            var reference = expected["grad." + p.Name].Value;
            double err = BertFixture.RelativeError(p.Grad, reference);
            Assert.True(err < 1e-3, $"{p.Name}: relative error {err:g3}");
            checkedCount++;
        }
        Assert.Equal(expected.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal)), checkedCount);
        // Only rows of tokens in the batch were touched.
        Assert.Equal(batch.Ids.Distinct().OrderBy(i => i), model.Parameters[0].TouchedRows!.OrderBy(i => i));
    }

    [Fact]
    public void GradientsAccumulateAcrossBackwardCalls()
    {
        var model = BertFixture.Model("tiny-gelu");
        model.HiddenDropout = 0; model.AttentionDropout = 0;
        var batch = BertFixture.Batch("tiny-gelu");
        var r = BertFixture.Expected("tiny-gelu")["R"].Value;
        model.Backward(model.ForwardTrain(batch, 1), r);
        var once = model.Parameters.Select(p => p.Grad.ToArray()).ToList();
        model.Backward(model.ForwardTrain(batch, 1), r);
        for (int i = 0; i < once.Count; i++)
        {
            var twice = model.Parameters[i].Grad;
            for (int j = 0; j < twice.Length; j++) Assert.True(Math.Abs(twice[j] - 2 * once[i][j]) <= 1e-5 + 1e-5 * Math.Abs(twice[j]));
        }
    }

    [Fact]
    public void EachSequenceAttendsOnlyWithinItself()
    {
        var model = BertFixture.Model("small-gelu-new");
        var batch = BertFixture.Batch("small-gelu-new");
        var all = model.Forward(batch);
        int h = model.HiddenSize;
        // Run sequences alone and in reverse order: same vectors.
        var order = Enumerable.Range(0, batch.Count).Reverse().ToArray();
        var ids = new List<int>(); var types = new List<int>(); var starts = new List<int> { 0 };
        foreach (var s in order)
        {
            ids.AddRange(batch.Ids[batch.Starts[s]..batch.Starts[s + 1]]);
            types.AddRange(batch.TypeIds[batch.Starts[s]..batch.Starts[s + 1]]);
            starts.Add(ids.Count);
        }
        var reversed = model.Forward(new TokenBatch(ids.ToArray(), types.ToArray(), starts.ToArray()));
        for (int k = 0; k < order.Length; k++)
        {
            int s = order[k];
            var a = all.AsSpan(batch.Starts[s] * h, batch.Length(s) * h);
            var b = reversed.AsSpan(starts[k] * h, batch.Length(s) * h);
            Assert.True(BertFixture.MaxAbsDiff(a, b) < 1e-5);
            var alone = model.Forward(new TokenBatch(batch.Ids[batch.Starts[s]..batch.Starts[s + 1]], batch.TypeIds[batch.Starts[s]..batch.Starts[s + 1]], new[] { 0, batch.Length(s) }));
            Assert.True(BertFixture.MaxAbsDiff(a, alone) < 1e-5);
        }
    }

    [Fact]
    public void EmptySequencesAndSingleThreadGiveTheSameVectors()
    {
        var model = BertFixture.Model("tiny-gelu");
        var batch = BertFixture.Batch("tiny-gelu");
        var expected = BertFixture.Expected("tiny-gelu")["last_hidden_state"].Value;
        // Insert an empty sequence between every pair.
        var starts = new List<int> { 0 };
        for (int s = 0; s < batch.Count; s++) { starts.Add(batch.Starts[s + 1]); starts.Add(batch.Starts[s + 1]); }
        var withEmpty = new TokenBatch(batch.Ids, batch.TypeIds, starts.ToArray());
        Assert.True(BertFixture.MaxAbsDiff(model.Forward(withEmpty), expected) < 1e-4);
        int saved = global::MLNet.Embeddings.Kernels.Sgemm.MaxThreads;
        try
        {
            global::MLNet.Embeddings.Kernels.Sgemm.MaxThreads = 1;
            Assert.True(BertFixture.MaxAbsDiff(model.Forward(batch), expected) < 1e-4);
        }
        finally { global::MLNet.Embeddings.Kernels.Sgemm.MaxThreads = saved; }
        Assert.Empty(model.Forward(new TokenBatch(Array.Empty<int>(), Array.Empty<int>(), new[] { 0 })));
    }

    [Fact]
    public void WeightsWithBertPrefixAndExtraTensorsLoad()
    {
        var folder = BertFixture.Folder("tiny-gelu");
        var config = BertConfig.Load(Path.Combine(folder, "config.json"));
        var tensors = BertFixture.ReadTensors(Path.Combine(folder, "model.safetensors"));
        var prefixed = tensors.ToDictionary(kv => "bert." + kv.Key, kv => kv.Value);
        prefixed["cls.predictions.bias"] = new Tensors.Parameter("cls.predictions.bias", new[] { 3 }, new float[3]);
        var model = new BertBackbone(config, prefixed);
        Assert.Equal("embeddings.word_embeddings.weight", model.Parameters[0].Name);
        Assert.DoesNotContain(model.Parameters, p => p.Name.StartsWith("pooler", StringComparison.Ordinal) || p.Name.StartsWith("cls", StringComparison.Ordinal));
        Assert.Equal(5 + 16 * config.NumHiddenLayers, model.Parameters.Count);
        var expected = BertFixture.Expected("tiny-gelu")["last_hidden_state"].Value;
        Assert.True(BertFixture.MaxAbsDiff(model.Forward(BertFixture.Batch("tiny-gelu")), expected) < 1e-4);
    }

    [Fact]
    public void ParametersCarryHuggingFaceNames()
    {
        var model = BertFixture.Model("tiny-gelu");
        var names = model.Parameters.Select(p => p.Name).ToList();
        Assert.Contains("encoder.layer.0.attention.self.query.weight", names);
        Assert.Contains("encoder.layer.1.output.LayerNorm.bias", names);
        Assert.Contains("embeddings.token_type_embeddings.weight", names);
        Assert.Equal(names.Count, names.Distinct().Count());
    }
}
