using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Scoring;
using MLNet.Embeddings.Tests.Bert;

namespace MLNet.Embeddings.Tests.Encoder;

/// <summary>Real parts end to end: BERT fixtures (PyTorch references) and static vectors through Load → Encode → Save → Load.</summary>
public sealed class EndToEndTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("e2e-tests-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    static readonly (PoolingMode Mode, string Name)[] Modes =
    {
        (PoolingMode.Mean, "mean"), (PoolingMode.Cls, "cls"), (PoolingMode.Max, "max"),
        (PoolingMode.MeanSqrtLen, "mean_sqrt_len"), (PoolingMode.WeightedMean, "weightedmean"), (PoolingMode.LastToken, "lasttoken"),
    };

    string CopyFixture(string name, string to)
    {
        var target = Path.Combine(_dir, to);
        Directory.CreateDirectory(target);
        foreach (var f in new[] { "config.json", "model.safetensors", "vocab.txt" })
            File.Copy(Path.Combine(BertFixture.Folder(name), f), Path.Combine(target, f));
        return target;
    }

    [Theory]
    [InlineData("tiny-gelu")]
    [InlineData("small-gelu-new")]
    [InlineData("tiny-roberta-relu")]
    public void EveryPoolingModeThroughALoadedFolderMatchesPyTorch(string fixture)
    {
        var expected = BertFixture.Expected(fixture);
        var batch = BertFixture.Batch(fixture);
        foreach (var (mode, name) in Modes)
        {
            var folder = CopyFixture(fixture, $"{fixture}-{name}");
            var model = BertFixture.Model(fixture);
            ModelFolder.Write(folder, new SentenceEncoderConfig { Pooling = mode, MaxSeqLength = model.MaxPositions }, model.HiddenSize);
            var encoder = SentenceEncoder.Load(folder);
            Assert.Equal(mode, encoder.Config.Pooling);
            var pooled = encoder.Embed(batch, ReadOnlySpan<int>.Empty, encoder.CreatePoolingHead());
            double diff = BertFixture.MaxAbsDiff(expected["pooled." + name].Value, pooled);
            Assert.True(diff < 1e-4, $"{fixture} {name}: max |diff| {diff}");
        }
    }

    [Fact]
    public void PlainHuggingFaceFolderIsMeanPooledAndUnnormalised()
    {
        var encoder = SentenceEncoder.Load(BertFixture.Folder("tiny-gelu"));
        Assert.Equal(PoolingMode.Mean, encoder.Config.Pooling);
        Assert.False(encoder.Config.Normalize);
        Assert.Equal(64, encoder.Config.MaxSeqLength); // min(512, max_position_embeddings)
        var pooled = encoder.Embed(BertFixture.Batch("tiny-gelu"), ReadOnlySpan<int>.Empty, encoder.CreatePoolingHead());
        Assert.True(BertFixture.MaxAbsDiff(BertFixture.Expected("tiny-gelu")["pooled.mean"].Value, pooled) < 1e-4);
    }

    [Fact]
    public void EncodeTextEqualsBackbonePlusPoolingOnTokenizerOutput()
    {
        var encoder = SentenceEncoder.Load(BertFixture.Folder("tiny-gelu"));
        var texts = new[] { "the quick brown fox", "", new string('a', 3000) + " " + string.Join(' ', Enumerable.Repeat("the", 500)), "Hello, world!" };
        var vectors = encoder.Encode(texts, new EncodeOptions { BatchSize = 3 });
        Assert.All(vectors, v => Assert.Equal(32, v.Length));
        Assert.All(vectors, v => Assert.All(v, x => Assert.True(float.IsFinite(x))));
        var tokenized = texts.Select(t => encoder.Tokenizer.Encode(t, 64)).ToList();
        Assert.Equal(64, tokenized[2].Length);
        var reference = encoder.Embed(TokenBatch.From(tokenized), ReadOnlySpan<int>.Empty, encoder.CreatePoolingHead());
        for (int i = 0; i < texts.Length; i++)
            Assert.True(BertFixture.MaxAbsDiff(reference.AsSpan(i * 32, 32), vectors[i]) < 1e-5, $"text {i}");
    }

    [Fact]
    public void BertSaveLoadEncodeIsBitIdentical()
    {
        var original = SentenceEncoder.Load(BertFixture.Folder("tiny-gelu"));
        original.Config.Pooling = PoolingMode.WeightedMean;
        original.Config.Normalize = true;
        original.Config.PoolingIncludePrompt = false;
        original.Config.Prompts["query"] = "query: ";
        original.Config.DefaultPromptName = "query";
        original.Config.MaxSeqLength = 40;
        original.Config.Similarity = SimilarityFunction.Dot;
        var folder = Path.Combine(_dir, "saved-bert");
        original.Save(folder);
        var loaded = SentenceEncoder.Load(folder);
        Assert.Equal(PoolingMode.WeightedMean, loaded.Config.Pooling);
        Assert.True(loaded.Config.Normalize);
        Assert.False(loaded.Config.PoolingIncludePrompt);
        Assert.Equal("query", loaded.Config.DefaultPromptName);
        Assert.Equal(40, loaded.Config.MaxSeqLength);
        Assert.Equal(SimilarityFunction.Dot, loaded.Config.Similarity);

        var texts = new[] { "the quick brown fox jumps", "hello", "", string.Join(' ', Enumerable.Repeat("words", 200)) };
        foreach (var options in new[] { new EncodeOptions(), new EncodeOptions { Prompt = "", Dimensions = 8 }, new EncodeOptions { Normalize = false, BatchSize = 1 } })
        {
            var a = original.Encode(texts, options);
            var b = loaded.Encode(texts, options);
            for (int i = 0; i < texts.Length; i++) Assert.Equal(a[i], b[i]);
        }
        // saved twice → same weight bytes
        var again = Path.Combine(_dir, "saved-bert-2");
        loaded.Save(again);
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder, "model.safetensors")), File.ReadAllBytes(Path.Combine(again, "model.safetensors")));
    }

    [Fact]
    public void StaticWordVectorsSaveLoadEncodeIsBitIdentical()
    {
        var vec = Path.Combine(_dir, "tiny.vec");
        File.WriteAllText(vec, "4 3\nthe 0.1 0.2 0.3\ncat 1 0 -1\nsat 0.5 0.5 0.5\nmat -1 2 0.25\n");
        var original = SentenceEncoder.Load(vec);
        var texts = new[] { "the cat sat", "mat", "", "unknown words only" };
        var a = original.Encode(texts);
        Assert.Equal(new[] { (0.1f + 1 + 0.5f) / 3, (0.2f + 0 + 0.5f) / 3, (0.3f - 1 + 0.5f) / 3 }, a[0], new ToleranceComparer(1e-6f));
        Assert.All(a[2], x => Assert.Equal(0f, x));
        original.Config.Normalize = true;
        var folder = Path.Combine(_dir, "saved-static");
        original.Save(folder);
        var loaded = SentenceEncoder.Load(folder);
        Assert.True(loaded.Config.Normalize);
        var b = loaded.Encode(texts);
        var c = original.Encode(texts);
        for (int i = 0; i < texts.Length; i++) Assert.Equal(c[i], b[i]);
    }

    sealed class ToleranceComparer(float tol) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tol;
        public int GetHashCode(float obj) => 0;
    }
}
