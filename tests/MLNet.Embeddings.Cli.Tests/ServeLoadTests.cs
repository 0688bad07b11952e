using System.Net;
using System.Text.Json;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Tokenization.WordPiece;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary>
/// A bounded load test on 127.0.0.1 (a correctness test, not a timed one): 16 concurrent clients send 20 requests each
/// of random sizes to a small BERT; every request succeeds and every vector equals the library's for the same text,
/// whatever other requests it shared a forward pass (and its padding) with.
/// </summary>
[Collection("Console")]
public sealed class ServeLoadTests
{
    const int Clients = 16, RequestsPerClient = 20;

    [Fact]
    public async Task SixteenClientsGetTheLibrarysVectors()
    {
        string[] words = { "revenue", "grew", "cloud", "demand", "rain", "cat", "sat", "mat", "dog", "the" };
        var tokenizer = WordPieceTokenizer.FromVocabulary(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. words]);
        var config = new BertConfig { VocabSize = tokenizer.VocabSize, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 64, MaxPositionEmbeddings = 128 };
        var model = new SentenceEncoder(tokenizer, BertBackbone.Create(config, seed: 7), new SentenceEncoderConfig { MaxSeqLength = 128 });
        await using var server = await TestServer.StartAsync(model);

        var random = new Random(12345);
        var plans = Enumerable.Range(0, Clients).Select(_ => Enumerable.Range(0, RequestsPerClient).Select(_ =>
            Enumerable.Range(0, random.Next(1, 9)).Select(_ =>
                string.Join(' ', Enumerable.Range(0, random.Next(1, 40)).Select(_ => words[random.Next(words.Length)]))).ToArray()).ToArray()).ToArray();

        var results = await Task.WhenAll(plans.Select(plan => Task.Run(async () =>
        {
            var answers = new List<(string[] Texts, HttpStatusCode Status, JsonElement Body)>();
            foreach (var texts in plan)
            {
                var (status, body) = await server.PostAsync(JsonSerializer.Serialize(new { input = texts }));
                answers.Add((texts, status, body));
            }
            return answers;
        })));

        int vectors = 0;
        double worst = 0;
        foreach (var (texts, status, body) in results.SelectMany(r => r))
        {
            Assert.Equal(HttpStatusCode.OK, status);
            var data = body.GetProperty("data");
            Assert.Equal(texts.Length, data.GetArrayLength());
            for (int i = 0; i < texts.Length; i++)
            {
                var expected = model.Encode([texts[i]])[0];
                var got = data[i].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
                Assert.Equal(expected.Length, got.Length);
                for (int j = 0; j < got.Length; j++) worst = Math.Max(worst, Math.Abs(got[j] - expected[j]));
                vectors++;
            }
        }
        Assert.Equal(Clients * RequestsPerClient, results.Sum(r => r.Count));
        Assert.True(worst <= 1e-6, $"largest difference {worst:G3} over {vectors} vectors");
    }
}
