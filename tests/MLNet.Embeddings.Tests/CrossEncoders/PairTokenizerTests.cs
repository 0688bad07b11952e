using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.Tests.CrossEncoders;

/// <summary>Pair ids and type ids against Hugging Face tokenizers (tools/fixtures/make_pair_tokenizer_fixture.js), truncation included.</summary>
public class PairTokenizerTests
{
    static readonly string Shared = Path.GetDirectoryName(Static.StaticTestData.Shared("tokenizers", "bert-base-uncased", "vocab.txt"))!;

    static JsonElement Cases()
    {
        var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "cross-encoder", "pair_tokenization.json")));
        return doc.RootElement.GetProperty("cases");
    }

    static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    [Fact]
    public void BertPairsEqualHuggingFaceWithAndWithoutTruncation()
    {
        var tokenizer = TokenizerLoader.Load(Shared);
        var pairs = PairTokenizer.Load(Shared, tokenizer);
        Assert.Equal(3, pairs.SpecialCount);
        int compared = 0, truncated = 0;
        foreach (var c in Cases().EnumerateArray())
        {
            string q = c.GetProperty("query").GetString()!, d = c.GetProperty("document").GetString()!;
            foreach (var enc in c.GetProperty("encodings").EnumerateObject())
            {
                int max = enc.Name == "none" ? 0 : int.Parse(enc.Name);
                var got = pairs.Encode(q, d, max);
                var want = Ints(enc.Value.GetProperty("ids"));
                Assert.True(want.SequenceEqual(got.Ids), $"max {enc.Name}: '{q}' / '{d}'\nwant {string.Join(",", want)}\ngot  {string.Join(",", got.Ids)}");
                Assert.Equal(Ints(enc.Value.GetProperty("type_ids")), got.TypeIds);
                compared++;
                if (max > 0 && want.Length == max) truncated++;
            }
        }
        Assert.True(compared > 500);
        Assert.True(truncated > 100); // the fixture exercises the truncation branches
    }

    [Fact]
    public void VocabOnlyFoldersUseTheBertTemplate()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pair-vocab-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.Copy(Path.Combine(Shared, "vocab.txt"), Path.Combine(dir, "vocab.txt"));
            var pairs = PairTokenizer.Load(dir, TokenizerLoader.Load(dir));
            var fromJson = PairTokenizer.Load(Shared, TokenizerLoader.Load(Shared));
            var a = pairs.Encode("What is revenue?", "Revenue was $5 billion in 2023.", 12);
            var b = fromJson.Encode("What is revenue?", "Revenue was $5 billion in 2023.", 12);
            Assert.Equal(b.Ids, a.Ids);
            Assert.Equal(b.TypeIds, a.TypeIds);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void RobertaProcessingPairsEqualHuggingFace()
    {
        // The same edit the fixture script makes: bert-base-uncased's tokenizer.json with a RobertaProcessing post-processor.
        string dir = Path.Combine(Path.GetTempPath(), "pair-roberta-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Shared, "tokenizer.json")))!.AsObject();
            json["post_processor"] = JsonNode.Parse("""{"type":"RobertaProcessing","sep":["[SEP]",102],"cls":["[CLS]",101],"trim_offsets":true,"add_prefix_space":true}""");
            File.WriteAllText(Path.Combine(dir, "tokenizer.json"), json.ToJsonString());
            var pairs = PairTokenizer.Load(dir, TokenizerLoader.Load(dir));
            Assert.Equal(4, pairs.SpecialCount);
            foreach (var c in Cases().EnumerateArray())
                foreach (var enc in c.GetProperty("roberta_processing").EnumerateObject())
                {
                    var got = pairs.Encode(c.GetProperty("query").GetString()!, c.GetProperty("document").GetString()!, enc.Name == "none" ? 0 : int.Parse(enc.Name));
                    Assert.Equal(Ints(enc.Value.GetProperty("ids")), got.Ids);
                    Assert.Equal(Ints(enc.Value.GetProperty("type_ids")), got.TypeIds);
                }
        }
        finally { Directory.Delete(dir, true); }
    }
}
