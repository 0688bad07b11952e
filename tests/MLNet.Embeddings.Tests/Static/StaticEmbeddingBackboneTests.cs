using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Static;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.Tests.Static;

public class StaticEmbeddingBackboneTests
{
    // 5 words × 3 dims; row i = (i, 10 i, -i) + small offsets so every value is distinct.
    static StaticEmbeddingBackbone Tiny()
    {
        var table = new float[15];
        for (int i = 0; i < 5; i++) { table[3 * i] = i + 0.5f; table[3 * i + 1] = 10 * i + 0.25f; table[3 * i + 2] = -i - 0.125f; }
        return new StaticEmbeddingBackbone(table, 3);
    }

    static TokenBatch Batch(params int[][] seqs)
        => TokenBatch.From(seqs.Select(s => new TokenizedText(s, new int[s.Length], new (int, int)[s.Length])).ToList());

    [Fact]
    public void DescribesItself()
    {
        var b = Tiny();
        Assert.Equal("static", b.ModelType);
        Assert.Equal(3, b.HiddenSize);
        Assert.Equal(5, b.VocabSize);
        Assert.Equal(int.MaxValue, b.MaxPositions);
        var p = Assert.Single(b.Parameters);
        Assert.Equal("embedding.weight", p.Name);
        Assert.Equal(new[] { 5, 3 }, p.Shape);
        Assert.NotNull(p.TouchedRows);
    }

    [Fact]
    public void ForwardLooksUpOneRowPerToken()
    {
        var b = Tiny();
        var output = b.Forward(Batch([4, 0], [], [2, 2, 1]));
        Assert.Equal(5 * 3, output.Length);
        int[] ids = [4, 0, 2, 2, 1];
        for (int t = 0; t < ids.Length; t++)
            Assert.Equal(b.Embedding.Value.AsSpan(ids[t] * 3, 3).ToArray(), output.AsSpan(t * 3, 3).ToArray());
    }

    [Fact]
    public void ForwardIntoABufferMatchesTheArrayAndLeavesTheRestAlone()
    {
        var b = Tiny();
        var batch = Batch([4, 0], [], [2, 2, 1]);
        var buffer = new float[batch.TotalTokens * 3 + 4];
        Array.Fill(buffer, 99f);
        b.Forward(batch, buffer);
        Assert.Equal(b.Forward(batch), buffer[..(batch.TotalTokens * 3)]);
        Assert.All(buffer[(batch.TotalTokens * 3)..], v => Assert.Equal(99f, v));
    }

    [Fact]
    public void ForwardRejectsABufferTooShort()
    {
        var batch = Batch([4, 0], [2]);
        var error = Assert.Throws<ArgumentException>(() => Tiny().Forward(batch, new float[batch.TotalTokens * 3 - 1]));
        Assert.Contains("3×3", error.Message);
    }

    [Fact]
    public void ForwardRejectsIdsOutsideTheVocabulary()
        => Assert.Throws<ArgumentOutOfRangeException>(() => Tiny().Forward(Batch([1, 5])));

    [Fact]
    public void BackwardMatchesFiniteDifferencesAndRecordsTouchedRows()
    {
        // Loss L = Σ_t w_t · output_t for fixed weights w; dL/dTable[r] = Σ_{t: id_t = r} w_t.
        var b = Tiny();
        var batch = Batch([3, 1, 3], [0]);
        var rng = new Random(7);
        var w = Enumerable.Range(0, batch.TotalTokens * 3).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        double Loss() { var o = b.Forward(batch); double s = 0; for (int i = 0; i < o.Length; i++) s += w[i] * (double)o[i]; return s; }

        var act = b.ForwardTrain(batch, dropoutSeed: 123);
        Assert.Same(batch, act.Batch);
        b.Backward(act, w);
        var table = b.Embedding.Value;
        for (int i = 0; i < table.Length; i++)
        {
            float keep = table[i];
            const float h = 1e-2f;
            table[i] = keep + h; double up = Loss();
            table[i] = keep - h; double down = Loss();
            table[i] = keep;
            Assert.Equal((up - down) / (2 * h), b.Embedding.Grad[i], 3);
        }
        Assert.Equal(new[] { 0, 1, 3 }, b.Embedding.TouchedRows!.Order());
        Assert.All(b.Embedding.Grad.AsSpan(2 * 3, 3).ToArray(), g => Assert.Equal(0f, g));

        // A second backward accumulates.
        b.Backward(act, w);
        Assert.Equal(2 * (w[0] + w[6]), b.Embedding.Grad[9], 5);
    }

    [Fact]
    public void BackwardRejectsWrongGradientLength()
    {
        var b = Tiny();
        var act = b.ForwardTrain(Batch([1, 2]), 0);
        Assert.Throws<ArgumentException>(() => b.Backward(act, new float[5]));
    }

    [Fact]
    public void LoadWordVectorsAssemblesAMeanPooledEncoder()
    {
        var dir = StaticTestData.TempFolder();
        try
        {
            var path = Path.Combine(dir, "tiny.vec");
            File.WriteAllText(path, "2 2\nhello 1 2\nworld 3 4\n");
            var enc = StaticEmbeddingBackbone.LoadWordVectors(path);
            Assert.Equal(MLNet.Embeddings.Pooling.PoolingMode.Mean, enc.Config.Pooling);
            Assert.Equal("tiny.vec", enc.Config.ModelId);
            Assert.True(enc.Config.MaxSeqLength >= 1_000_000);
            Assert.Equal(2, enc.Dimensions);
            var tok = Assert.IsType<WordTokenizer>(enc.Tokenizer);
            Assert.True(tok.Lowercase);
            Assert.Equal(new[] { 1, 0 }, tok.Encode("World, HELLO!").Ids);
            Assert.IsType<StaticEmbeddingBackbone>(enc.Backbone);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void LoadWordVectorsKeepsCaseForCasedVocabularies()
    {
        var dir = StaticTestData.TempFolder();
        try
        {
            var path = Path.Combine(dir, "cased.txt");
            File.WriteAllText(path, "Paris 1 2\nparis 3 4\n");
            var tok = Assert.IsType<WordTokenizer>(StaticEmbeddingBackbone.LoadWordVectors(path).Tokenizer);
            Assert.False(tok.Lowercase);
            Assert.Equal(new[] { 0, 1 }, tok.Encode("Paris paris").Ids);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void SaveAndLoadFolderRoundTrip()
    {
        var dir = StaticTestData.TempFolder();
        try
        {
            var b = Tiny();
            var tok = new WordTokenizer(["a", "b", "c", "d", "e"]);
            b.Save(dir);
            tok.Save(dir);
            Assert.Contains("\"model_type\": \"static\"", File.ReadAllText(Path.Combine(dir, "config.json")));
            var enc = StaticEmbeddingBackbone.LoadFolder(dir);
            var back = Assert.IsType<StaticEmbeddingBackbone>(enc.Backbone);
            Assert.Equal(b.Embedding.Value, back.Embedding.Value);
            Assert.Equal(tok.Vocabulary, Assert.IsType<WordTokenizer>(enc.Tokenizer).Vocabulary);
            Assert.Equal(MLNet.Embeddings.Pooling.PoolingMode.Mean, enc.Config.Pooling);
            Assert.Equal(Path.GetFileName(dir), enc.Config.ModelId);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void LoadFolderRejectsVocabularyOfOtherSize()
    {
        var dir = StaticTestData.TempFolder();
        try
        {
            Tiny().Save(dir);
            new WordTokenizer(["a", "b"]).Save(dir);
            var e = Assert.Throws<ModelFormatException>(() => StaticEmbeddingBackbone.LoadFolder(dir));
            Assert.Contains("vocab.txt", e.Path);
            Assert.Contains("2 words", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void LoadRejectsOtherModelTypes()
    {
        var dir = StaticTestData.TempFolder();
        try
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), "{\"model_type\": \"bert\"}");
            var e = Assert.Throws<ModelFormatException>(() => StaticEmbeddingBackbone.Load(dir));
            Assert.Contains("model_type", e.Message);
            Assert.Contains("bert", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
