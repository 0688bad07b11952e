using System.Text.Json;
using Microsoft.ML.Tokenizers;
using MLNet.Embeddings.ML.Tokenization;
using WordPieceTokenizer = MLNet.Embeddings.Tokenization.WordPiece.WordPieceTokenizer;
using Xunit.Abstractions;

namespace MLNet.Embeddings.ML.Tests;

public sealed class TokenizerInteropTests(ITestOutputHelper output)
{
    static string Vocab => Path.Combine(TestData.Root, "..", "shared", "data", "tokenizers", "bert-base-uncased");

    static List<(string Text, int[] Ids, int[][] Offsets)> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "wordpiece_parity.json")));
        var list = new List<(string, int[], int[][])>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var t = c.GetProperty("uncased_vocab");
            list.Add((c.GetProperty("text").GetString()!, t.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                t.GetProperty("offsets").EnumerateArray().Select(o => o.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray()));
        }
        return list;
    }

    /// <summary>
    /// Our WordPiece through the Microsoft.ML.Tokenizers API matches HF on every parity text (ids and offsets, special
    /// tokens aside); Microsoft's own BertTokenizer on the same vocab.txt is measured beside it (figure in docs/tokenizers.md).
    /// </summary>
    [Fact]
    public void OurTokenizerAsMicrosoftTokenizerMatchesHuggingFace()
    {
        Tokenizer ours = new EmbeddingTokenizer(WordPieceTokenizer.FromVocabFolder(Vocab));
        var microsoft = BertTokenizer.Create(Path.Combine(Vocab, "vocab.txt"), new BertOptions { LowerCaseBeforeTokenization = true });
        var cases = Cases();
        Assert.True(cases.Count >= 500);
        int oursOk = 0, msOk = 0;
        foreach (var (text, ids, offsets) in cases)
        {
            var inner = ids[1..^1];
            var tokens = ours.EncodeToTokens(text, out _);
            bool idsOk = tokens.Select(t => t.Id).SequenceEqual(inner);
            bool offOk = tokens.Select(t => t.Offset.GetOffsetAndLength(text.Length)).Select(o => new[] { o.Offset, o.Offset + o.Length })
                .SelectMany(x => x).SequenceEqual(offsets[1..^1].SelectMany(x => x));
            if (idsOk && offOk) oursOk++;
            if (microsoft.EncodeToIds(text).SequenceEqual(ids)) msOk++;
        }
        output.WriteLine($"ours via Microsoft.ML.Tokenizers.Tokenizer: {oursOk}/{cases.Count}; Microsoft BertTokenizer: {msOk}/{cases.Count}");
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "mlnet-tokenizer-parity.txt"), $"{oursOk}/{cases.Count} {msOk}/{cases.Count}");
        Assert.Equal(cases.Count, oursOk);
        Assert.True(msOk < cases.Count); // the reason we keep our tokenizers (if this ever fails, docs/tokenizers.md needs updating)
        Assert.Equal("hello world", ours.Decode(ours.EncodeToIds("Hello world")));
    }

    /// <summary>Microsoft's tokenizer plugged into our encoder: the adapter adds [CLS]/[SEP] and truncates like ours.</summary>
    [Fact]
    public void MicrosoftTokenizerRunsInsideOurEncoder()
    {
        var wp = WordPieceTokenizer.FromVocabFolder(Vocab);
        var microsoft = BertTokenizer.Create(Path.Combine(Vocab, "vocab.txt"), new BertOptions { LowerCaseBeforeTokenization = true });
        var adapter = new MLTokenizerAdapter(microsoft, wp.VocabSize, wp.TokenToId("[CLS]"), wp.TokenToId("[SEP]"));
        string text = "the bank raised its dividend";
        Assert.Equal(wp.Encode(text).Ids, adapter.Encode(text).Ids);
        Assert.Equal(4, adapter.Encode(text, maxLength: 4).Length);
        var bert = SentenceEncoder.Load(TestData.TinyBert);
        var tinyVocab = BertTokenizer.Create(Path.Combine(TestData.TinyBert, "vocab.txt"), new BertOptions { LowerCaseBeforeTokenization = true });
        var encoder = new SentenceEncoder(new MLTokenizerAdapter(tinyVocab, bert.Tokenizer.VocabSize, bert.Tokenizer.TokenToId("[CLS]"), bert.Tokenizer.TokenToId("[SEP]")), bert.Backbone, bert.Config);
        Assert.Equal(bert.Encode("hello world"), encoder.Encode("hello world"));
    }
}

public class TokenizerAdapterDocTests
{
    /// <summary>The example in MLTokenizerAdapter's doc comment, copied as written, binds [CLS]/[SEP]/[PAD] and encodes like the model's own tokenizer.</summary>
    [Fact]
    public void TheDocCommentExampleBindsTheRightIds()
    {
        const string example = "new SentenceEncoder(new MLTokenizerAdapter(tokenizer, vocabSize, bosId: clsId, eosId: sepId, padId: padId), backbone, config)";
        string source = File.ReadAllText(Path.Combine(TestData.Root, "src", "MLNet.Embeddings.ML", "Tokenization", "MLTokenizerAdapter.cs"));
        Assert.Contains(example, source);

        var bert = SentenceEncoder.Load(TestData.TinyBert);
        var tokenizer = Microsoft.ML.Tokenizers.BertTokenizer.Create(Path.Combine(TestData.TinyBert, "vocab.txt"), new Microsoft.ML.Tokenizers.BertOptions { LowerCaseBeforeTokenization = true });
        int vocabSize = bert.Tokenizer.VocabSize, clsId = bert.Tokenizer.TokenToId("[CLS]")!.Value, sepId = bert.Tokenizer.TokenToId("[SEP]")!.Value, padId = bert.Tokenizer.TokenToId("[PAD]")!.Value;
        var backbone = bert.Backbone; var config = bert.Config;
        var encoder = new SentenceEncoder(new MLTokenizerAdapter(tokenizer, vocabSize, bosId: clsId, eosId: sepId, padId: padId), backbone, config);

        var ids = encoder.Tokenizer.Encode("hello world").Ids;
        Assert.Equal(clsId, ids[0]);
        Assert.Equal(sepId, ids[^1]);
        Assert.Equal(padId, encoder.Tokenizer.PadId);
        Assert.Equal(vocabSize, encoder.Tokenizer.VocabSize);
        Assert.Equal(bert.Tokenizer.Encode("hello world").Ids, ids);
        Assert.Equal(bert.Encode("hello world"), encoder.Encode("hello world"));
    }
}
