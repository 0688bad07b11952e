using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.Tests.Static;

public class WordTokenizerTests
{
    static readonly string[] Vocab = ["the", "cat", "sat", ",", ".", "u.s.", "well", "known", "e-mail", "zoë", "...", "-", "on", "mat", "😀"];

    static string[] Words(WordTokenizer t, string text) => t.Tokenize(text).ToArray();

    [Fact]
    public void LowercasesSplitsOnWhitespaceAndReportsOffsets()
    {
        var t = new WordTokenizer(Vocab);
        var text = "The  CAT\tsat\non";
        var enc = t.Encode(text);
        Assert.Equal(new[] { 0, 1, 2, 12 }, enc.Ids);
        Assert.Equal(new[] { (0, 3), (5, 8), (9, 12), (13, 15) }, enc.Offsets);
        Assert.All(enc.TypeIds, x => Assert.Equal(0, x));
        Assert.Equal("CAT", text[enc.Offsets[1].Start..enc.Offsets[1].End]);
    }

    [Fact]
    public void KnownChunksWithPunctuationStayWhole()
        => Assert.Equal(new[] { "u.s.", "e-mail" }, Words(new WordTokenizer(Vocab), "U.S. E-mail"));

    [Fact]
    public void StripsOuterPunctuationThenSplitsInnerPunctuation()
    {
        var t = new WordTokenizer(Vocab);
        Assert.Equal(new[] { "cat", "sat", "mat" }, Words(t, "(cat), sat... \"mat\"!"));
        var enc = t.Encode("well-known");
        Assert.Equal(new[] { "well", "known" }, enc.Ids.Select(i => t.IdToToken(i)));
        Assert.Equal(new[] { (0, 4), (5, 10) }, enc.Offsets);
    }

    [Fact]
    public void UnknownWordsArePunctuationOnlyTokensAreDropped()
    {
        var t = new WordTokenizer(Vocab);
        Assert.Equal(new[] { "cat", "mat" }, Words(t, "dog cat , - ... mat xyzzy"));
        Assert.Empty(t.Encode("dogs and birds ???").Ids);
    }

    [Fact]
    public void KeepPunctuationEmitsPunctuationInVocabulary()
    {
        var t = new WordTokenizer(Vocab, keepPunctuation: true);
        // "sat..." → sat + "..." (run in vocab); "?!" → nothing (neither char in vocab); "-," → "-", "," (chars).
        Assert.Equal(new[] { "cat", ",", "sat", "...", "-", ",", "mat", "." }, Words(t, "cat, sat... ?! -, mat."));
    }

    [Fact]
    public void NonAsciiWordsAndSymbols()
    {
        var t = new WordTokenizer(Vocab);
        Assert.Equal(new[] { "zoë", "cat" }, Words(t, "ZOË cat😀"));
        var p = new WordTokenizer(Vocab, keepPunctuation: true);
        var enc = p.Encode("cat😀");
        Assert.Equal(new[] { "cat", "😀" }, enc.Ids.Select(i => p.IdToToken(i)));
        Assert.Equal(new[] { (0, 3), (3, 5) }, enc.Offsets);
    }

    [Fact]
    public void CaseSensitiveVocabularyFallsBackToLowerCase()
    {
        var t = new WordTokenizer(["Apple", "apple", "pie", "Paris"], lowercase: false);
        Assert.Equal(new[] { 0, 1, 2, 3 }, t.Encode("Apple apple PIE Paris paris").Ids);
    }

    [Fact]
    public void StopWordsAreSkipped()
    {
        var t = new WordTokenizer(Vocab, stopWords: ["the", "on"]);
        Assert.Equal(new[] { "cat", "sat", "mat" }, Words(t, "The cat sat on the mat"));
    }

    [Fact]
    public void TruncatesToMaxLength()
    {
        var t = new WordTokenizer(Vocab);
        Assert.Equal(new[] { 0, 1 }, t.Encode("the cat sat on the mat", maxLength: 2).Ids);
        Assert.Empty(t.Encode("the cat", maxLength: 0).Ids);
    }

    [Fact]
    public void FirstOccurrenceOfDuplicateWordWins()
    {
        var t = new WordTokenizer(["a", "b", "a"]);
        Assert.Equal(0, t.TokenToId("a"));
        Assert.Equal("a", t.IdToToken(2));
        Assert.Null(t.IdToToken(3));
        Assert.Null(t.TokenToId("c"));
        Assert.Equal(3, t.VocabSize);
    }

    [Fact]
    public void SaveAndLoadKeepVocabularyAndSettings()
    {
        var dir = StaticTestData.TempFolder();
        try
        {
            var t = new WordTokenizer(Vocab, lowercase: true, keepPunctuation: true, stopWords: ["on"]);
            t.Save(dir);
            var lines = File.ReadAllText(Path.Combine(dir, "vocab.txt")).Split('\n');
            Assert.Equal(Vocab.Length + 1, lines.Length);
            Assert.Equal("zoë", lines[9]);
            Assert.Contains("\"tokenizer_class\": \"WordTokenizer\"", File.ReadAllText(Path.Combine(dir, "tokenizer_config.json")));

            var back = WordTokenizer.Load(dir);
            Assert.Equal(Vocab, back.Vocabulary);
            Assert.True(back.Lowercase);
            Assert.True(back.KeepPunctuation);
            Assert.Equal(new[] { "on" }, back.StopWords);
            var text = "The cat, on the mat.";
            Assert.Equal(t.Encode(text).Ids, back.Encode(text).Ids);
            Assert.DoesNotContain(Directory.GetFiles(dir), f => f.Contains(".tmp-"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void LoadWithoutConfigLowercasesOnlyLowerCaseVocabularies()
    {
        var dir = StaticTestData.TempFolder();
        try
        {
            File.WriteAllText(Path.Combine(dir, "vocab.txt"), "Paris\r\nlondon\r\n");
            var t = WordTokenizer.Load(dir);
            Assert.Equal(new[] { "Paris", "london" }, t.Vocabulary);
            Assert.False(t.Lowercase);
            File.WriteAllText(Path.Combine(dir, "vocab.txt"), "paris\nlondon\n");
            Assert.True(WordTokenizer.Load(dir).Lowercase);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void LineBreakInWordIsRejected()
        => Assert.Throws<ArgumentException>(() => new WordTokenizer(["a\nb"]));
}
