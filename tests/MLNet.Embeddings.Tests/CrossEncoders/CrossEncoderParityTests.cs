using System.Text.Json;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Tests.Bert;

namespace MLNet.Embeddings.Tests.CrossEncoders;

/// <summary>
/// Logits and gradients against a plain-torch BertForSequenceClassification / RobertaForSequenceClassification
/// (tools/fixtures/make_cross_encoder_fixture.py, float64 reference, pooler included).
/// </summary>
public class CrossEncoderParityTests
{
    static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "cross-encoder", name);

    static TokenBatch Batch(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(name), "inputs.json")));
        var ids = doc.RootElement.GetProperty("input_ids").EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToList();
        var types = doc.RootElement.GetProperty("token_type_ids").EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToList();
        var starts = new int[ids.Count + 1];
        for (int i = 0; i < ids.Count; i++) starts[i + 1] = starts[i] + ids[i].Length;
        return new TokenBatch(ids.SelectMany(x => x).ToArray(), types.SelectMany(x => x).ToArray(), starts);
    }

    static (string, string)[] Texts(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(name), "inputs.json")));
        var q = doc.RootElement.GetProperty("queries").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var d = doc.RootElement.GetProperty("documents").EnumerateArray().Select(e => e.GetString()!).ToArray();
        return q.Zip(d).ToArray();
    }

    static Dictionary<string, Tensors.Parameter> Expected(string name) => BertFixture.ReadTensors(Path.Combine(Folder(name), "expected.safetensors"));

    [Theory]
    [InlineData("bert-2labels", 2)]
    [InlineData("bert-1label", 1)]
    [InlineData("roberta-1label", 1)]
    public void LogitsMatchPyTorchOnTheFixtureIds(string name, int labels)
    {
        var model = CrossEncoder.Load(Folder(name));
        Assert.Equal(labels, model.NumLabels);
        var logits = model.Logits(Batch(name));
        Assert.True(BertFixture.MaxAbsDiff(logits, Expected(name)["logits"].Value) < 1e-4);
    }

    [Theory]
    [InlineData("bert-2labels")]
    [InlineData("bert-1label")]
    public void PredictFromTextsTokenizesAsThePairIdsAndMatchesPyTorch(string name)
    {
        var model = CrossEncoder.Load(Folder(name));
        var pairs = Texts(name);
        var batch = Batch(name);
        for (int i = 0; i < pairs.Length; i++)
        {
            var t = model.Tokenize(pairs[i].Item1, pairs[i].Item2);
            Assert.Equal(batch.Ids.AsSpan(batch.Starts[i], batch.Length(i)).ToArray(), t.Ids);
            Assert.Equal(batch.TypeIds.AsSpan(batch.Starts[i], batch.Length(i)).ToArray(), t.TypeIds);
        }
        // Batch size 3: pairs are regrouped by length, results must come back in input order.
        var logits = model.PredictLogits(pairs, new CrossEncoderOptions { BatchSize = 3 });
        var expected = Expected(name)["logits"].Value;
        Assert.True(BertFixture.MaxAbsDiff(logits.SelectMany(x => x).ToArray(), expected) < 1e-4);
    }

    [Fact]
    public void ActivationFollowsTheConfigAndPredictAppliesIt()
    {
        var sigmoid = CrossEncoder.Load(Folder("bert-1label"));
        Assert.Equal(CrossEncoderActivation.Sigmoid, sigmoid.Activation);
        var pairs = Texts("bert-1label");
        var scores = sigmoid.Predict(pairs);
        var logits = Expected("bert-1label")["logits"].Value;
        for (int i = 0; i < pairs.Length; i++) Assert.Equal(1 / (1 + Math.Exp(-logits[i])), scores[i], 4);

        Assert.Equal(CrossEncoderActivation.Identity, CrossEncoder.Load(Folder("roberta-1label")).Activation); // sbert_ce_default_activation_function
        var two = CrossEncoder.Load(Folder("bert-2labels"));
        Assert.Equal(CrossEncoderActivation.Identity, two.Activation); // no setting, two labels
        Assert.Equal(new[] { "label_0", "label_1" }, two.Labels);
        var soft = two.PredictAll(Texts("bert-2labels"), new CrossEncoderOptions { Activation = CrossEncoderActivation.Softmax });
        Assert.All(soft, row => Assert.Equal(1.0, row.Sum(), 5));
    }

    [Fact]
    public void RankOrdersByScoreAndKeepsIndices()
    {
        var model = CrossEncoder.Load(Folder("bert-1label"));
        var pairs = Texts("bert-1label");
        string query = pairs[1].Item1;
        var docs = pairs.Select(p => p.Item2).ToArray();
        var scores = model.Predict(docs.Select(d => (query, d)).ToArray());
        var ranked = model.Rank(query, docs, topK: 3);
        Assert.Equal(3, ranked.Count);
        var best = Enumerable.Range(0, docs.Length).OrderByDescending(i => scores[i]).Take(3).ToArray();
        Assert.Equal(best, ranked.Select(r => r.Index).ToArray());
        Assert.All(ranked, r => Assert.Equal(docs[r.Index], r.Document));
        Assert.True(ranked[0].Score >= ranked[1].Score && ranked[1].Score >= ranked[2].Score);
    }

    [Theory]
    [InlineData("bert-2labels")]
    [InlineData("roberta-1label")]
    public void GradientsMatchAutograd(string name)
    {
        var model = CrossEncoder.Load(Folder(name));
        model.Backbone.HiddenDropout = 0; model.Backbone.AttentionDropout = 0; model.Head.Dropout = 0;
        var batch = Batch(name);
        var expected = Expected(name);
        var hidden = model.Backbone.ForwardTrain(batch, 1);
        var head = model.Head.ForwardTrain(hidden.Output, batch, 1);
        Assert.True(BertFixture.MaxAbsDiff(head.Logits, expected["logits"].Value) < 1e-4);
        var dHidden = model.Head.Backward(head, expected["R"].Value);
        model.Backbone.Backward(hidden, dHidden);
        string prefix = name.StartsWith("bert") ? "bert." : "roberta.";
        var all = model.Backbone.Parameters.Select(p => (Name: prefix + p.Name, p)).Concat(model.Head.Parameters.Select(p => (p.Name, p)));
        int checkedCount = 0;
        foreach (var (n, p) in all)
        {
            var want = expected["grad." + n].Value;
            double scale = Math.Max(1e-3, want.Max(v => Math.Abs((double)v)));
            double err = BertFixture.MaxAbsDiff(p.Grad, want) / scale;
            Assert.True(err < 1e-3, $"{n}: relative error {err:E2}");
            checkedCount++;
        }
        Assert.Equal(expected.Keys.Count(k => k.StartsWith("grad.")), checkedCount);
    }

    [Fact]
    public void SaveWritesAFolderThatLoadsToTheSameScores()
    {
        var model = CrossEncoder.Load(Folder("bert-2labels"));
        string dir = Path.Combine(Path.GetTempPath(), "ce-save-" + Guid.NewGuid().ToString("N"));
        try
        {
            model.Save(dir);
            using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json"))))
            {
                Assert.Equal("BertForSequenceClassification", doc.RootElement.GetProperty("architectures")[0].GetString());
                Assert.Equal("label_1", doc.RootElement.GetProperty("id2label").GetProperty("1").GetString());
            }
            var names = BertFixture.ReadTensors(Path.Combine(dir, "model.safetensors")).Keys;
            Assert.Contains("bert.pooler.dense.weight", names);
            Assert.Contains("classifier.weight", names);
            Assert.Contains("bert.encoder.layer.0.attention.self.query.weight", names);
            var reloaded = CrossEncoder.Load(dir);
            var pairs = Texts("bert-2labels");
            Assert.Equal(model.PredictLogits(pairs).SelectMany(x => x), reloaded.PredictLogits(pairs).SelectMany(x => x));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void AnEmbeddingModelGetsANewHeadThatKeepsItsPooler()
    {
        // The BERT backbone fixtures carry pooler.* tensors (no prefix) and no classifier: FromEncoder keeps the pooler.
        var ce = CrossEncoder.FromEncoder(BertFixture.Folder("tiny-gelu"), numLabels: 1, seed: 3);
        var pooler = BertFixture.ReadTensors(Path.Combine(BertFixture.Folder("tiny-gelu"), "model.safetensors"))["pooler.dense.weight"].Value;
        Assert.Equal(pooler, ce.Head.Parameters[0].Value);
        Assert.Equal("bert.pooler.dense.weight", ce.Head.Parameters[0].Name);
        Assert.Equal(CrossEncoderActivation.Sigmoid, ce.Activation);
        Assert.Single(ce.Predict(new[] { ("a", "b") }));
        var ex = Assert.Throws<ModelFormatException>(() => CrossEncoder.Load(BertFixture.Folder("tiny-gelu")));
        Assert.Contains("classifier.weight", ex.Message);
        Assert.Contains("FromEncoder", ex.Message);
    }
}
