using MLNet.Embeddings.Scoring;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Data.Generation;

namespace MLNet.Embeddings.Cli.Tests.Generation;

/// <summary>
/// The generation filters that take an embedding model (GloVe 6B 100d from ../shared/data): the round trip ranks a
/// query's own passage with the model instead of BM25, and <see cref="EncoderJudge"/> scores with the model's cosine.
/// </summary>
public sealed class EmbeddingFilterTests
{
    static SentenceEncoder Glove() =>
        SentenceEncoder.Load(Commands.SharedData.Find() is { } data ? Path.Combine(data, "glove", "glove.6B.100d.top50k.txt")
            : throw new InvalidOperationException("../shared/data not found beside the checkout"));

    [Fact]
    public async Task RoundTripWithAnEmbeddingModelKeepsOnTopicQueriesAndDropsOffTopicOnes()
    {
        using var server = new FakeChatServer();
        string dir = GenerationFixture.TempDir();
        var passages = GenerationFixture.Passages(12);
        string input = GenerationFixture.WritePassages(dir, passages);
        string output = Path.Combine(dir, "pairs.jsonl");
        // for every passage: its own sentence back as a query (ranks it first) and an off-topic one (ranks it nowhere)
        server.Custom = prompt =>
        {
            string passage = passages.First(prompt.Contains);
            return [passage, "zebra giraffe penguin elephant savanna"];
        };
        using var client = GenerationFixture.Client(server);
        var summary = await DataGenerator.RunAsync(client, new GenerationOptions
        {
            Input = input, Output = output, PerItem = 2, RoundTripTopK = 1, RoundTripEncoder = Glove(), MaxChars = 1000,
        });

        var rows = TrainingDataReader.Read(output).ToList();
        Assert.Equal(passages.Count, rows.Count);                      // every passage's own sentence survives
        Assert.All(rows, r => Assert.Equal(r.Query, r.Pos[0]));
        Assert.DoesNotContain(rows, r => r.Query.StartsWith("zebra", StringComparison.Ordinal));
        // the off-topic query is one text repeated for each passage: the first is a round-trip drop, the rest duplicates
        long offTopicDrops = summary.Dropped.GetValueOrDefault("round_trip") + summary.Dropped.GetValueOrDefault("exact_duplicate");
        Assert.Equal(passages.Count, offTopicDrops);
        Assert.True(summary.Dropped.GetValueOrDefault("round_trip") >= 1);
    }

    [Fact]
    public void EncoderJudgeScoresAreTheModelsCosine()
    {
        var model = Glove();
        var judge = new EncoderJudge(model);
        string query = "revenue from turbine sales in Norway";
        string[] passages = ["Acme reported turbine revenue in Norway.", "The weather was cold and rainy all week.", "revenue from turbine sales in Norway"];
        var scores = judge.Score(query, passages);
        var q = model.Encode([query])[0];
        var p = model.Encode(passages);
        for (int i = 0; i < passages.Length; i++)
            Assert.Equal(VectorSimilarity.Cosine(q, p[i]), scores[i], 5);
        Assert.Equal(1f, scores[2], 4);                                  // the query itself
        Assert.True(scores[0] > scores[1], $"on-topic {scores[0]} should beat off-topic {scores[1]}");
    }
}
