using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Scoring;

namespace MLNet.Embeddings.Tests.Encoder;

public class SentenceEncoderTests
{
    static readonly string[] Texts =
    {
        "the cat sat on the mat", "", "a", "dogs bark loudly at night", "x y",
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen",
        "the cat sat", "a b c d e",
    };

    static SentenceEncoder Make(Action<SentenceEncoderConfig>? configure = null, FakeTokenizer? tokenizer = null)
    {
        var config = new SentenceEncoderConfig { MaxSeqLength = 12 };
        configure?.Invoke(config);
        return new SentenceEncoder(tokenizer ?? new FakeTokenizer(), new FakeBackbone(), config);
    }

    /// <summary>The reference: tokenizer → backbone on one sequence → pooling by hand.</summary>
    static float[] Naive(SentenceEncoder e, string text, PoolingMode mode, int skip = 0, bool normalize = false, int maxLength = 12, string prefix = "")
    {
        var tokens = e.Tokenizer.Encode(prefix + text, maxLength);
        var batch = TokenBatch.From(new[] { tokens });
        var h = e.Backbone.Forward(batch);
        int n = tokens.Length, d = e.Backbone.HiddenSize;
        var r = new float[d];
        var rows = Enumerable.Range(0, n).Where(t => mode == PoolingMode.Cls || t >= skip).ToList();
        if (rows.Count == 0) return r;
        for (int j = 0; j < d; j++)
        {
            var vals = rows.Select(t => (t, v: h[t * d + j])).ToList();
            r[j] = mode switch
            {
                PoolingMode.Mean => vals.Average(x => x.v),
                PoolingMode.Cls => h[j],
                PoolingMode.Max => vals.Max(x => x.v),
                PoolingMode.MeanSqrtLen => vals.Sum(x => x.v) / MathF.Sqrt(vals.Count),
                PoolingMode.WeightedMean => vals.Sum(x => x.v * (x.t + 1)) / vals.Sum(x => x.t + 1f),
                PoolingMode.LastToken => vals[^1].v,
                _ => throw new ArgumentOutOfRangeException(nameof(mode)),
            };
        }
        if (normalize)
        {
            float norm = MathF.Sqrt(r.Sum(x => x * x));
            for (int j = 0; j < d; j++) r[j] /= MathF.Max(norm, 1e-12f);
        }
        return r;
    }

    static void Close(float[] expected, float[] actual, float tol = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"[{i}] expected {expected[i]} got {actual[i]}");
    }

    [Theory]
    [InlineData(PoolingMode.Mean)]
    [InlineData(PoolingMode.Cls)]
    [InlineData(PoolingMode.Max)]
    [InlineData(PoolingMode.MeanSqrtLen)]
    [InlineData(PoolingMode.WeightedMean)]
    [InlineData(PoolingMode.LastToken)]
    public void EncodeMatchesNaivePipelineInInputOrder(PoolingMode mode)
    {
        var e = Make(c => c.Pooling = mode);
        foreach (int batchSize in new[] { 1, 3, 100 })
        {
            var vectors = e.Encode(Texts, new EncodeOptions { BatchSize = batchSize });
            Assert.Equal(Texts.Length, vectors.Length);
            for (int i = 0; i < Texts.Length; i++) Close(Naive(e, Texts[i], mode), vectors[i]);
        }
    }

    [Fact]
    public void SingleTextOverloadMatchesBatch()
    {
        var e = Make();
        var batch = e.Encode(Texts);
        for (int i = 0; i < Texts.Length; i++) Assert.Equal(batch[i], e.Encode(Texts[i]));
    }

    [Fact]
    public void NormalizeFollowsModelUnlessOverridden()
    {
        var plain = Make();
        var normalizing = Make(c => c.Normalize = true);
        var v = plain.Encode("dogs bark loudly");
        Assert.NotEqual(1f, Norm(v), 3);
        Assert.Equal(1f, Norm(normalizing.Encode("dogs bark loudly")), 5);
        Assert.Equal(1f, Norm(plain.Encode("dogs bark loudly", new EncodeOptions { Normalize = true })), 5);
        Assert.Equal(v, normalizing.Encode("dogs bark loudly", new EncodeOptions { Normalize = false }));
    }

    static float Norm(float[] v) => MathF.Sqrt(v.Sum(x => x * x));

    [Fact]
    public void MatryoshkaTruncatesThenNormalises()
    {
        var e = Make(c => c.Normalize = true);
        var full = e.Encode("dogs bark loudly", new EncodeOptions { Normalize = false });
        var cut = e.Encode("dogs bark loudly", new EncodeOptions { Dimensions = 2 });
        Assert.Equal(2, cut.Length);
        float n = MathF.Sqrt(full[0] * full[0] + full[1] * full[1]);
        Close(new[] { full[0] / n, full[1] / n }, cut);
        Assert.Throws<ConfigurationException>(() => e.Encode("x", new EncodeOptions { Dimensions = 5 }));
        Assert.Throws<ConfigurationException>(() => e.Encode("x", new EncodeOptions { Dimensions = 0 }));
    }

    [Fact]
    public void PromptsLiteralNamedAndDefault()
    {
        var e = Make(c => { c.Prompts = new() { ["query"] = "query: ", ["doc"] = "passage: " }; });
        Close(Naive(e, "cats", PoolingMode.Mean, prefix: "query: "), e.Encode("cats", new EncodeOptions { PromptName = "query" }));
        Close(Naive(e, "cats", PoolingMode.Mean, prefix: "hello there "), e.Encode("cats", new EncodeOptions { Prompt = "hello there ", PromptName = "query" }));
        Close(Naive(e, "cats", PoolingMode.Mean), e.Encode("cats"));
        var ex = Assert.Throws<ConfigurationException>(() => e.Encode("cats", new EncodeOptions { PromptName = "nope" }));
        Assert.Contains("query", ex.Message);

        var withDefault = Make(c => { c.Prompts = new() { ["query"] = "query: " }; c.DefaultPromptName = "query"; });
        Close(Naive(withDefault, "cats", PoolingMode.Mean, prefix: "query: "), withDefault.Encode("cats"));
    }

    [Theory]
    [InlineData(PoolingMode.Mean)]
    [InlineData(PoolingMode.Max)]
    [InlineData(PoolingMode.WeightedMean)]
    [InlineData(PoolingMode.Cls)]
    public void IncludePromptFalseSkipsClsAndPromptTokens(PoolingMode mode)
    {
        var e = Make(c => { c.Pooling = mode; c.PoolingIncludePrompt = false; c.Prompts = new() { ["q"] = "find this: " }; });
        // "find this:" is two words → [CLS] find this: [SEP]: prompt_length = 4 - 1 = 3 ([CLS] + two prompt tokens)
        Assert.Equal(3, e.PoolingSkip("find this: "));
        Assert.Equal(0, Make().PoolingSkip("find this: "));
        var v = e.Encode(new[] { "the cat sat", "dogs" }, new EncodeOptions { PromptName = "q" });
        Close(Naive(e, "the cat sat", mode, skip: 3, prefix: "find this: "), v[0]);
        Close(Naive(e, "dogs", mode, skip: 3, prefix: "find this: "), v[1]);
    }

    [Fact]
    public void MaxLengthTruncatesAndLongOrEmptyTextsEncode()
    {
        var e = Make();
        string huge = string.Join(' ', Enumerable.Range(0, 5000).Select(i => "w" + i));
        var v = e.Encode(new[] { huge, "", "   " });
        Close(Naive(e, huge, PoolingMode.Mean, maxLength: 12), v[0]);
        Assert.All(v, x => Assert.Equal(4, x.Length));
        Close(Naive(e, huge, PoolingMode.Mean, maxLength: 5), e.Encode(huge, new EncodeOptions { MaxLength = 5 }));
        // a cap above the backbone's positions is clamped to them
        Assert.Equal(16, e.EffectiveMaxLength(1000));
        Close(Naive(e, huge, PoolingMode.Mean, maxLength: 16), e.Encode(huge, new EncodeOptions { MaxLength = 1000 }));
    }

    [Fact]
    public void DoLowerCaseLowersTextAndPrompt()
    {
        var tok = new FakeTokenizer();
        var e = Make(c => c.DoLowerCase = true, tok);
        Assert.Equal(e.Encode("dogs bark"), e.Encode("DOGS Bark"));
        e.Encode("X", new EncodeOptions { Prompt = "Q: " });
        Assert.Contains("q: x", tok.Seen);
    }

    [Fact]
    public void ProgressAndCancellation()
    {
        var e = Make();
        var reports = new List<int>();
        var texts = Enumerable.Range(0, 10).Select(i => "text number " + i).ToArray();
        e.Encode(texts, new EncodeOptions { BatchSize = 3, Progress = new SyncProgress(reports) });
        Assert.Equal(new[] { 3, 6, 9, 10 }, reports);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => e.Encode(texts, null, cts.Token));
        Assert.Throws<ConfigurationException>(() => e.Encode(texts, new EncodeOptions { BatchSize = 0 }));
    }

    sealed class SyncProgress(List<int> sink) : IProgress<int>
    {
        public void Report(int value) => sink.Add(value);
    }

    [Fact]
    public void BatchesAreSortedByLength()
    {
        var backbone = new RecordingBackbone();
        var e = new SentenceEncoder(new FakeTokenizer(), backbone, new SentenceEncoderConfig());
        e.Encode(new[] { "a", "a b c d", "a b", "a b c" }, new EncodeOptions { BatchSize = 2 });
        Assert.Equal(new[] { new[] { 6, 5 }, new[] { 4, 3 } }, backbone.Lengths);
    }

    sealed class RecordingBackbone : IBackbone
    {
        public List<int[]> Lengths { get; } = new();
        public string ModelType => "rec";
        public int HiddenSize => 2;
        public int MaxPositions => 512;
        public float[] Forward(TokenBatch batch, CancellationToken cancellationToken = default)
        {
            Lengths.Add(Enumerable.Range(0, batch.Count).Select(batch.Length).ToArray());
            return new float[batch.TotalTokens * 2];
        }
        public void Save(string folder) { }
    }

    [Fact]
    public void PooledBackboneSkipsPoolingButKeepsTruncationAndNormalisation()
    {
        var e = new SentenceEncoder(new FakeTokenizer(), new FakePooledBackbone(), new SentenceEncoderConfig());
        Assert.Equal(3, e.Dimensions);
        var v = e.Encode(new[] { "a b", "c" });
        Assert.Equal(4f, v[0][0]);
        Assert.Equal(3f, v[1][0]);
        Assert.Equal(1f, v[0][2]);
        var cut = e.Encode("a b", new EncodeOptions { Dimensions = 1, Normalize = true });
        Assert.Equal(new[] { 1f }, cut);
    }

    [Fact]
    public void SimilarityUsesModelFunction()
    {
        var a = new[] { 1f, 0f }; var b = new[] { 3f, 4f };
        Assert.Equal(0.6f, Make().Similarity(a, b), 6);
        Assert.Equal(3f, Make(c => c.Similarity = SimilarityFunction.Dot).Similarity(a, b));
        Assert.Equal(-MathF.Sqrt(20), Make(c => c.Similarity = SimilarityFunction.Euclidean).Similarity(a, b), 5);
        Assert.Equal(-6f, Make(c => c.Similarity = SimilarityFunction.Manhattan).Similarity(a, b));
        var e = Make();
        Assert.Equal(1f, e.Similarity("the cat sat", "the cat sat"), 5);
        var m = Make(c => c.Similarity = SimilarityFunction.Manhattan).Similarity(new[] { a, b }, new[] { b });
        Assert.Equal(2, m.Rows);
        Assert.Equal(1, m.Cols);
        Assert.Equal(-6f, m[0, 0]);
        Assert.Equal(0f, m[1, 0]);
    }

    [Fact]
    public void TokenizeBatchAndHeadReproduceEncode()
    {
        var e = Make(c => { c.Pooling = PoolingMode.WeightedMean; c.PoolingIncludePrompt = false; c.Normalize = true; });
        var options = new EncodeOptions { Prompt = "q: ", Dimensions = 3 };
        var texts = new[] { "the cat sat", "dogs" };
        var prepared = e.TokenizeBatch(texts, options);
        Assert.Equal(new[] { 2, 2 }, prepared.Skip);
        var head = e.CreatePoolingHead(options);
        var tokens = e.Backbone.Forward(prepared.Batch);
        var pooled = head.Forward(tokens, e.Backbone.HiddenSize, prepared.Batch.Starts, prepared.Skip);
        var encoded = e.Encode(texts, options);
        Assert.Equal(encoded[0], pooled[..3]);
        Assert.Equal(encoded[1], pooled[3..]);
    }

    [Fact]
    public void SaveWritesSentenceTransformersLayout()
    {
        var dir = Directory.CreateTempSubdirectory("enc-save-").FullName;
        try
        {
            var e = Make(c =>
            {
                c.Pooling = PoolingMode.Max; c.Normalize = true; c.MaxSeqLength = 10; c.DoLowerCase = true;
                c.Prompts = new() { ["query"] = "query: " }; c.DefaultPromptName = "query"; c.Similarity = SimilarityFunction.Dot;
                c.PoolingIncludePrompt = false;
            });
            e.Save(dir);
            foreach (var f in new[] { "modules.json", "config_sentence_transformers.json", "sentence_bert_config.json", "1_Pooling/config.json", "config.json", "model.safetensors", "fake_tokenizer.txt" })
                Assert.True(File.Exists(Path.Combine(dir, f)), f);
            Assert.True(Directory.Exists(Path.Combine(dir, "2_Normalize")));
            var layout = ModelFolder.Read(dir);
            Assert.Equal("fake", layout.ModelType);
            Assert.True(layout.IsSentenceTransformers);
            Assert.True(layout.MaxSeqLengthGiven);
            var c = layout.Config;
            Assert.Equal(PoolingMode.Max, c.Pooling);
            Assert.True(c.Normalize);
            Assert.False(c.PoolingIncludePrompt);
            Assert.Equal(10, c.MaxSeqLength);
            Assert.True(c.DoLowerCase);
            Assert.Equal("query: ", c.Prompts["query"]);
            Assert.Equal("query", c.DefaultPromptName);
            Assert.Equal(SimilarityFunction.Dot, c.Similarity);

            // rebuild from the saved parts → identical vectors
            var back = new SentenceEncoder(new FakeTokenizer(), FakeBackbone.Load(dir), c);
            var texts = Texts;
            var a = e.Encode(texts); var b = back.Encode(texts);
            for (int i = 0; i < texts.Length; i++) Assert.Equal(a[i], b[i]);
        }
        finally { Directory.Delete(dir, true); }
    }
}
