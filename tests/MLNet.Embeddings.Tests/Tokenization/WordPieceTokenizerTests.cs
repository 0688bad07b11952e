using MLNet.Embeddings.Tokenization;
using MLNet.Embeddings.Tokenization.WordPiece;

namespace MLNet.Embeddings.Tests.Tokenization;

public class WordPieceTokenizerTests
{
    // ids:                         0        1        2        3         4       5     6      7       8        9      10      11    12
    private static readonly string[] Vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "want", "##ed", "runn", "##ing", ","];

    private static WordPieceTokenizer Tiny(WordPieceOptions? options = null) => WordPieceTokenizer.FromVocabulary(Vocab, options);

    [Fact]
    public void GreedyLongestMatchWithContinuationPrefix()
    {
        var r = Tiny().Encode("UNwanted,running unaffable");
        // "unwanted" has no "##want" piece, so the whole word is unknown
        Assert.Equal(new[] { 2, 1, 12, 10, 11, 5, 6, 7, 3 }, r.Ids);
        Assert.Equal(new[] { (0, 0), (0, 8), (8, 9), (9, 13), (13, 16), (17, 19), (19, 22), (22, 26), (0, 0) }, r.Offsets);
        Assert.All(r.TypeIds, t => Assert.Equal(0, t));
    }

    [Fact]
    public void WordsLongerThanMaxInputCharsAreUnknown()
    {
        var tok = Tiny(new WordPieceOptions { MaxInputCharsPerWord = 4 });
        Assert.Equal(new[] { 2, 8, 3 }, tok.Encode("want").Ids);
        Assert.Equal(new[] { 2, 1, 3 }, tok.Encode("wanted").Ids);
    }

    [Fact]
    public void MaxLengthCountsSpecialTokens()
    {
        var tok = Tiny();
        var full = tok.Encode("unaffable unaffable");
        Assert.Equal(8, full.Length);
        var cut = tok.Encode("unaffable unaffable", maxLength: 5);
        Assert.Equal(new[] { 2, 5, 6, 7, 3 }, cut.Ids);
        var bare = tok.Encode("unaffable unaffable", maxLength: 2, addSpecialTokens: false);
        Assert.Equal(new[] { 5, 6 }, bare.Ids);
        Assert.Equal(new[] { 2, 3 }, tok.Encode("unaffable", maxLength: 2).Ids);
    }

    [Fact]
    public void SpecialTokensInTextAreMatchedVerbatim()
    {
        var r = Tiny().Encode("want[MASK]ed [mask]");
        // [MASK] splits the word; lowercase "[mask]" is ordinary text: "[", "mask" (unknown), "]"
        Assert.Equal(new[] { 2, 8, 4, 1, 1, 1, 1, 3 }, r.Ids);
        Assert.Equal((4, 10), r.Offsets[2]);
    }

    [Fact]
    public void CasedOptionsKeepCaseAndAccents()
    {
        var cased = WordPieceTokenizer.FromVocabulary(["[UNK]", "[CLS]", "[SEP]", "Café", "café", "cafe"], new WordPieceOptions { Lowercase = false });
        Assert.Equal(new[] { 1, 3, 2 }, cased.Encode("Café").Ids);
        var uncased = WordPieceTokenizer.FromVocabulary(["[UNK]", "[CLS]", "[SEP]", "Café", "café", "cafe"]);
        Assert.Equal(new[] { 1, 5, 2 }, uncased.Encode("Café").Ids);
        var keepAccents = WordPieceTokenizer.FromVocabulary(["[UNK]", "[CLS]", "[SEP]", "Café", "café", "cafe"], new WordPieceOptions { StripAccents = false });
        Assert.Equal(new[] { 1, 4, 2 }, keepAccents.Encode("Café").Ids);
    }

    [Fact]
    public void VocabularyLookupsAndSize()
    {
        var tok = Tiny();
        Assert.Equal(Vocab.Length, tok.VocabSize);
        Assert.Equal(0, tok.PadId);
        Assert.Equal(1, tok.UnkId);
        Assert.Equal("##aff", tok.IdToToken(6));
        Assert.Null(tok.IdToToken(Vocab.Length));
        Assert.Equal(10, tok.TokenToId("runn"));
        Assert.Null(tok.TokenToId("nope"));
    }

    [Fact]
    public void MissingUnknownTokenIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => WordPieceTokenizer.FromVocabulary(["[CLS]", "[SEP]", "a"]));
        Assert.Contains("[UNK]", ex.Message);
    }

    [Fact]
    public void ParallelEncodingGivesTheSameIds()
    {
        var tok = WordPieceTokenizer.FromTokenizerJson(TestPaths.SharedData("tokenizers/bert-base-uncased/tokenizer.json"));
        var texts = Enumerable.Range(0, 200).Select(i => $"Sentence number {i}: héllo wörld {new string('x', i % 120)} 中文{i}").ToArray();
        var serial = texts.Select(t => tok.Encode(t).Ids).ToArray();
        var parallel = new int[texts.Length][];
        Parallel.For(0, texts.Length, i => parallel[i] = tok.Encode(texts[i]).Ids);
        for (int i = 0; i < texts.Length; i++) Assert.Equal(serial[i], parallel[i]);
    }
}
