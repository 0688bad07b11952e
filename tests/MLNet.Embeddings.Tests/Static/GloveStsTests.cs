using System.Text.Json;
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
            glove.Encoder.Save(dir);
            var back = SentenceEncoder.Load(dir);
            var tok = Assert.IsType<WordTokenizer>(back.Tokenizer);
            Assert.Equal(glove.Tokenizer.Vocabulary, tok.Vocabulary);
            Assert.Equal(glove.Tokenizer.Lowercase, tok.Lowercase);
            Assert.True(glove.Backbone.Embedding.Value.AsSpan().SequenceEqual(((StaticEmbeddingBackbone)back.Backbone).Embedding.Value));
            var text = "Three dogs, well-known in the U.S., ran.";
            Assert.Equal(glove.Tokenizer.Encode(text).Ids, tok.Encode(text).Ids);
            Assert.Equal(glove.Encoder.Encode(text), back.Encode(text));
            // The backbone-level loader reads the same folder.
            Assert.Equal(50_000, ((StaticEmbeddingBackbone)StaticEmbeddingBackbone.LoadFolder(dir).Backbone).VocabSize);
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
        var a = glove.Encoder.Encode(pairs.Select(p => p.A).ToArray());
        var b = glove.Encoder.Encode(pairs.Select(p => p.B).ToArray());
        var cosines = new double[pairs.Count];
        for (int i = 0; i < pairs.Count; i++) cosines[i] = StaticTestData.Cosine(a[i], b[i]);

        var first = Reference.GetProperty("first_cosines").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int i = 0; i < first.Length; i++) Assert.Equal(first[i], cosines[i], 1e-5);

        double rho = StaticTestData.Spearman(cosines, pairs.Select(p => p.Score).ToArray());
        Assert.Equal(Reference.GetProperty("spearman").GetDouble(), rho, 4);
    }

    [Fact]
    public void EncodeIsTheMeanOfTheWordVectors()
    {
        const string text = "A girl is styling her hair, styling-hair style.";
        var words = glove.Tokenizer.Tokenize(text);
        Assert.Equal(new[] { "girl", "is", "styling", "her", "hair", "styling", "hair", "style" }, words);
        var expected = new double[glove.Backbone.HiddenSize];
        foreach (var w in words)
        {
            var row = glove.Backbone.Row(glove.Tokenizer.TokenToId(w)!.Value);
            for (int d = 0; d < expected.Length; d++) expected[d] += row[d] / (double)words.Count;
        }
        var got = glove.Encoder.Encode(text);
        for (int d = 0; d < expected.Length; d++) Assert.Equal(expected[d], got[d], 1e-5);
    }
}
