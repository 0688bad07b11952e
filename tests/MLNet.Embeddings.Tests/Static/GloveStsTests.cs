using System.Text.Json;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Static;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.Tests.Static;

/// <summary>Loads the shared GloVe vectors once for the tests of this class.</summary>
public sealed class GloveFixture
{
    public GloveFixture() => Encoder = StaticEmbeddingBackbone.LoadWordVectors(StaticTestData.GlovePath);
    public SentenceEncoder Encoder { get; }
    public WordTokenizer Tokenizer => (WordTokenizer)Encoder.Tokenizer;
    public StaticEmbeddingBackbone Backbone => (StaticEmbeddingBackbone)Encoder.Backbone;
}

/// <summary>
/// Real data: mean-of-GloVe cosine Spearman on STS-benchmark test against an independent numpy/scipy computation
/// (tools/fixtures/glove_sts_reference.py → Fixtures/static/glove_sts_reference.json).
/// </summary>
public sealed class GloveStsTests(GloveFixture glove) : IClassFixture<GloveFixture>
{
    static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllText(StaticTestData.Fixture("glove_sts_reference.json"))).RootElement;

    [Fact]
    public void LoadsTheWholeGloveFile()
    {
        Assert.Equal(50_000, glove.Tokenizer.VocabSize);
        Assert.Equal(100, glove.Backbone.HiddenSize);
        Assert.Equal(0, glove.Tokenizer.TokenToId("the"));
        Assert.Equal(-0.038194f, glove.Backbone.Row(0)[0]);
        Assert.True(glove.Tokenizer.Lowercase);
        // Rows equal a plain string.Split + float.Parse of the same lines, bit for bit (every 97th line).
        int row = 0;
        foreach (var line in File.ReadLines(StaticTestData.GlovePath))
        {
            if (row % 97 == 0)
            {
                var f = line.Split(' ');
                Assert.Equal(f[0], glove.Tokenizer.IdToToken(row));
                var expected = f.Skip(1).Select(x => float.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                Assert.Equal(expected, glove.Backbone.Row(row).ToArray());
            }
            row++;
        }
        Assert.Equal(50_000, row);
    }

    [Fact]
    public void SavedFolderReloadsWithIdenticalVectors()
    {
        var dir = StaticTestData.TempFolder();
        try
        {
            glove.Backbone.Save(dir);
            glove.Tokenizer.Save(dir);
            var back = StaticEmbeddingBackbone.LoadFolder(dir);
            var tok = Assert.IsType<WordTokenizer>(back.Tokenizer);
            Assert.Equal(glove.Tokenizer.Vocabulary, tok.Vocabulary);
            Assert.Equal(glove.Tokenizer.Lowercase, tok.Lowercase);
            Assert.True(glove.Backbone.Embedding.Value.AsSpan().SequenceEqual(((StaticEmbeddingBackbone)back.Backbone).Embedding.Value));
            var text = "Three dogs, well-known in the U.S., ran.";
            Assert.Equal(glove.Tokenizer.Encode(text).Ids, tok.Encode(text).Ids);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TokensMatchTheReference()
    {
        foreach (var pair in Reference.GetProperty("first_pairs").EnumerateArray())
            foreach (var (s, t) in new[] { ("sentence1", "tokens1"), ("sentence2", "tokens2") })
            {
                var expected = pair.GetProperty(t).EnumerateArray().Select(e => e.GetString()!).ToArray();
                Assert.Equal(expected, glove.Tokenizer.Tokenize(pair.GetProperty(s).GetString()!));
            }
    }

    [Fact]
    public void SpearmanOnStsTestMatchesNumpyReference()
    {
        var pairs = StaticTestData.ReadSts(StaticTestData.StsTestPath);
        Assert.Equal(Reference.GetProperty("pairs").GetInt32(), pairs.Count);
        var cosines = new double[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
            cosines[i] = StaticTestData.Cosine(MeanVector(pairs[i].A), MeanVector(pairs[i].B));

        var first = Reference.GetProperty("first_cosines").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int i = 0; i < first.Length; i++) Assert.Equal(first[i], cosines[i], 5);

        double rho = StaticTestData.Spearman(cosines, pairs.Select(p => p.Score).ToArray());
        Assert.Equal(Reference.GetProperty("spearman").GetDouble(), rho, 4);
    }

    /// <summary>Tokenizer → backbone → mean over tokens (the encoder's mean pooling, done here by hand).</summary>
    float[] MeanVector(string text)
    {
        var tokens = glove.Tokenizer.Encode(text, int.MaxValue);
        var output = glove.Backbone.Forward(TokenBatch.From([tokens]));
        int dim = glove.Backbone.HiddenSize;
        var mean = new float[dim];
        for (int t = 0; t < tokens.Length; t++)
            for (int d = 0; d < dim; d++) mean[d] += output[t * dim + d];
        for (int d = 0; d < dim; d++) mean[d] /= Math.Max(1, tokens.Length);
        return mean;
    }
}
