using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Tokenization;
using MLNet.Embeddings.Tokenization.Normalization;
using MLNet.Embeddings.Tokenization.Unigram;

namespace MLNet.Embeddings.Tests.Tokenization;

/// <summary>
/// The SentencePiece charsmap trie and the HF normalizers one at a time: results and the original span of each
/// output unit (HF's alignment rules), the JSON reader's errors, and a Precompiled tokenizer.json in a model folder.
/// </summary>
public sealed class NormalizerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("normalizer-tests-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static readonly Lazy<JsonNode> s_tokenizer = new(() => JsonNode.Parse(File.ReadAllText(TestPaths.Fixture("Tokenization/precompiled/tokenizer.json")))!);
    private static string CharsMapBase64 => s_tokenizer.Value["normalizer"]!["normalizers"]![0]!["precompiled_charsmap"]!.GetValue<string>();
    private static readonly Lazy<PrecompiledCharsMap> s_map = new(() => new PrecompiledCharsMap(Convert.FromBase64String(CharsMapBase64)));

    /// <summary>The text with each code point spanning itself.</summary>
    /// <summary>The text with each code point spanning itself, as if it started at <paramref name="origin"/>.</summary>
    private static NormalizedText Aligned(string text, int origin)
    {
        var n = new NormalizedText();
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsSurrogatePair(text, i)) { n.Append(char.ConvertToUtf32(text, i), origin + i, origin + i + 2); i++; }
            else n.Append(text[i], origin + i, origin + i + 1);
        }
        return n;
    }

    private static (string Text, string Spans) Run(ITextNormalizer normalizer, string text, int origin = 0)
    {
        var output = new NormalizedText();
        normalizer.Normalize(Aligned(text, origin), output, origin);
        var spans = string.Join(" ", Enumerable.Range(0, output.Length).Select(i => $"{output.Starts[i]}-{output.Ends[i]}"));
        return (new string(output.Span), spans);
    }

    [Theory]
    [InlineData("Ａ", "A")]        // full-width (NFKC)
    [InlineData("…", "...")]
    [InlineData("ﬁ", "fi")]
    [InlineData("\u0001", "")]     // control characters are removed
    [InlineData("e\u0301", "é")]   // composes
    public void CharsMapTransformsKnownKeys(string key, string expected)
        => Assert.Equal(expected, s_map.Value.Transform(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void CharsMapLeavesPlainAsciiAlone()
    {
        Assert.Null(s_map.Value.Transform("a"u8));
        Assert.Null(s_map.Value.Transform("Z"u8));
        Assert.Null(s_map.Value.Transform(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void CommonPrefixSearchReturnsEveryPrefixKeyShortestFirst()
    {
        // Half-width KA + voiced mark: both "ｶ" (→ カ) and "ｶﾞ" (→ ガ) are keys.
        Span<int> values = stackalloc int[4], lengths = stackalloc int[4];
        int found = s_map.Value.CommonPrefixSearch(Encoding.UTF8.GetBytes("ｶﾞx"), values, lengths);
        Assert.Equal(2, found);
        Assert.Equal(3, lengths[0]);
        Assert.Equal(6, lengths[1]);
        Assert.Equal("カ", s_map.Value.Replacement(values[0]));
        Assert.Equal("ガ", s_map.Value.Replacement(values[1]));
        Assert.Equal("カ", s_map.Value.Transform(Encoding.UTF8.GetBytes("ｶﾞ"))); // HF's transform takes the shortest
    }

    [Fact]
    public void MalformedCharsMapIsRejected()
    {
        Assert.Throws<FormatException>(() => new PrecompiledCharsMap(new byte[] { 1, 0 }));
        Assert.Throws<FormatException>(() => new PrecompiledCharsMap(new byte[] { 64, 0, 0, 0, 1, 2, 3, 4 })); // trie longer than the blob
        Assert.Throws<FormatException>(() => new PrecompiledCharsMap(new byte[] { 4, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFE })); // pool not UTF-8
    }

    [Fact]
    public void PrecompiledKeepsHfAlignments()
    {
        var p = new PrecompiledNormalizer(s_map.Value);
        // growing: the first dot replaces "…", the other two are inserts with its span
        Assert.Equal(("ABC...x", "0-1 1-2 2-3 3-4 3-4 3-4 4-5"), Run(p, "ＡＢＣ…x"));
        // a removed control character is absorbed by the code point before it
        Assert.Equal(("ab", "0-1 2-3"), Run(p, "a\u0001b"));
        // ... but at the very start nothing absorbs it, so the rest shifts by one (as HF does)
        Assert.Equal(("[0m", "0-1 1-2 2-3"), Run(p, "\u001b[0m"));
        // a grapheme under 6 bytes goes whole: the shortest key ("Ａ") replaces all of "Ａ" + combining acute
        Assert.Equal(("A", "0-1"), Run(p, "Ａ\u0301"));
        Assert.Equal(("plain", "0-1 1-2 2-3 3-4 4-5"), Run(p, "plain"));
        Assert.Equal(("", ""), Run(p, ""));
    }

    [Fact]
    public void ReplaceRegexTakesTheSpanOfTheLastMatchedCodePoint()
    {
        var r = ReplaceNormalizer.ForRegex(" {2,}", " ");
        Assert.Equal(("a b c", "0-1 3-4 4-5 6-7 7-8"), Run(r, "a   b  c"));
        Assert.Equal(("x", "0-1"), Run(r, "x"));
    }

    [Fact]
    public void ReplaceStringIsLiteralAndCanRemoveOrGrow()
    {
        Assert.Equal(("x\"y", "0-1 2-3 3-4"), Run(ReplaceNormalizer.ForString("``", "\""), "x``y"));
        Assert.Equal(("ab", "0-1 3-4"), Run(ReplaceNormalizer.ForString("-", ""), "a--b"));
        Assert.Equal(("a.*b", "0-1 1-2 1-2 2-3"), Run(ReplaceNormalizer.ForString(".", ".*"), "a.b"));
        Assert.Equal(("a?b", "0-1 1-2 2-3"), Run(ReplaceNormalizer.ForString("+", "?"), "a+b")); // not a regex
    }

    [Fact]
    public void StripAndLowercase()
    {
        Assert.Equal(("hi", "2-3 3-4"), Run(new StripNormalizer(true, true), "  hi \t"));
        Assert.Equal(("  hi", "0-1 1-2 2-3 3-4"), Run(new StripNormalizer(false, true), "  hi \t"));
        Assert.Equal(("i\u0307a", "0-1 0-1 1-2"), Run(new LowercaseNormalizer(), "İA"));
    }

    [Fact]
    public void SequenceRunsStepsInOrder()
    {
        var seq = new SequenceNormalizer([new StripNormalizer(false, true), ReplaceNormalizer.ForRegex(" {2,}", "▁"), new LowercaseNormalizer()]);
        Assert.Equal(("a▁b", "0-1 3-4 4-5"), Run(seq, "A   B  "));
        // the other order keeps the trailing run as ▁, which Strip does not remove
        var other = new SequenceNormalizer([ReplaceNormalizer.ForRegex(" {2,}", "▁"), new StripNormalizer(false, true)]);
        Assert.Equal("A▁B▁", Run(other, "A   B  ").Text);
    }

    [Fact]
    public void InsertAtTheStartTakesTheEmptySpanAtTheOrigin()
    {
        Assert.Equal(("#ab", "5-5 5-6 6-7"), Run(ReplaceNormalizer.ForRegex("^", "#"), "ab", origin: 5));
        // a segment that does not start the text: spans stay in the original's coordinates
        Assert.Equal(("ab", "5-6 6-7"), Run(new PrecompiledNormalizer(s_map.Value), "\u0001ab", origin: 5));
    }

    private string WriteTokenizer(Action<JsonNode> edit)
    {
        var tok = s_tokenizer.Value.DeepClone();
        edit(tok);
        Directory.CreateDirectory(_dir);
        string path = Path.Combine(_dir, "tokenizer.json");
        File.WriteAllText(path, tok.ToJsonString());
        return path;
    }

    [Theory]
    [InlineData("{\"type\": \"NFKC\"}", "normalizer.normalizers[1].type")]
    [InlineData("{\"type\": \"Replace\", \"pattern\": {\"Glob\": \"*\"}, \"content\": \"\"}", "normalizer.normalizers[1].pattern")]
    [InlineData("{\"type\": \"Replace\", \"pattern\": {\"Regex\": \"(\"}, \"content\": \"\"}", "normalizer.normalizers[1].pattern.Regex")]
    [InlineData("{\"type\": \"Replace\", \"pattern\": {\"String\": \" \"}}", "normalizer.normalizers[1].content")]
    [InlineData("{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"not base64!\"}", "normalizer.normalizers[1].precompiled_charsmap")]
    [InlineData("{\"type\": \"Precompiled\", \"precompiled_charsmap\": \"AQI=\"}", "normalizer.normalizers[1].precompiled_charsmap")]
    public void UnsupportedOrBadNormalizerNamesTheField(string step, string field)
    {
        string path = WriteTokenizer(t => t["normalizer"]!["normalizers"]![1] = JsonNode.Parse(step));
        var ex = Assert.Throws<ModelFormatException>(() => TokenizerLoader.Load(_dir));
        Assert.Equal(path, ex.Path);
        Assert.Contains(field, ex.Message);
    }

    [Fact]
    public void UnsupportedTopLevelNormalizerNamesTheField()
    {
        WriteTokenizer(t => t["normalizer"] = JsonNode.Parse("{\"type\": \"BertNormalizer\"}"));
        var ex = Assert.Throws<ModelFormatException>(() => TokenizerLoader.Load(_dir));
        Assert.Contains("'normalizer.type'", ex.Message);
        Assert.Contains("BertNormalizer", ex.Message);
    }

    [Fact]
    public void EmptyCharsMapIsTheIdentity()
    {
        var real = UnigramTokenizer.FromTokenizerJson(TestPaths.Fixture("Tokenization/precompiled/tokenizer.json"));
        var empty = UnigramTokenizer.FromTokenizerJson(WriteTokenizer(t => t["normalizer"]!["normalizers"]![0]!["precompiled_charsmap"] = ""));
        var none = UnigramTokenizer.FromTokenizerJson(WriteTokenizer(t => t["normalizer"]!["normalizers"]!.AsArray().RemoveAt(0)));
        const string text = "ＡＢＣ ｶﾞ café  x";
        Assert.Equal(none.Encode(text).Ids, empty.Encode(text).Ids);
        Assert.NotEqual(real.Encode(text).Ids, empty.Encode(text).Ids);
        Assert.Equal(real.Encode("ABC").Ids, real.Encode("ＡＢＣ").Ids);
    }

    [Fact]
    public void XlmRobertaFolderWithPrecompiledTokenizerLoadsThroughSentenceEncoder()
    {
        string folder = Path.Combine(_dir, "xlmr");
        var config = new BertConfig
        {
            ModelType = "xlm-roberta", VocabSize = 4002, HiddenSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2,
            IntermediateSize = 32, MaxPositionEmbeddings = 66, TypeVocabSize = 1, PadTokenId = 1, LayerNormEps = 1e-5f,
        };
        BertBackbone.Create(config, seed: 7).Save(folder);
        File.Copy(TestPaths.Fixture("Tokenization/precompiled/tokenizer.json"), Path.Combine(folder, "tokenizer.json"));
        var model = SentenceEncoder.Load(folder);
        Assert.IsType<UnigramTokenizer>(model.Tokenizer);
        Assert.Equal(model.Tokenizer.Encode("ABC カタカナ 123").Ids, model.Tokenizer.Encode("ＡＢＣ ｶﾀｶﾅ  １２３").Ids);
        float[] fullWidth = model.Encode("ＡＢＣ ｶﾀｶﾅ  １２３");
        float[] plain = model.Encode("ABC カタカナ 123");
        float[] other = model.Encode("something else");
        Assert.Equal(16, fullWidth.Length);
        Assert.All(fullWidth, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(plain, fullWidth);              // NFKC (and the space run) normalise to the same ids
        Assert.NotEqual(plain, other);
    }
}
