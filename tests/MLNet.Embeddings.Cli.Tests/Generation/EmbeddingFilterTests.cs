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
        // for every passage: its own sentence back as a query (ranks it first) and the next passage's sentence, a query
        // that the model ranks to that other passage, not to its own: the round trip must drop exactly those
        server.Custom = prompt =>
        {
            int i = passages.FindIndex(p => prompt.Contains(p));
            return [passages[i], passages[(i + 1) % passages.Count]];
        };
        using var client = GenerationFixture.Client(server);
        var summary = await DataGenerator.RunAsync(client, new GenerationOptions
        {
            Input = input, Output = output, PerItem = 2, RoundTripTopK = 1, RoundTripEncoder = Glove(), MaxChars = 1000,
        });

        var rows = TrainingDataReader.Read(output).ToList();
        string dropped = System.Text.Json.JsonSerializer.Serialize(summary.Dropped);
        Assert.True(rows.Count == passages.Count, $"{rows.Count} rows kept; dropped {dropped}");
        Assert.All(rows, r => Assert.Equal(r.Query, r.Pos[0]));           // only the queries that find their own passage
        Assert.Equal(passages.Count, summary.Dropped.GetValueOrDefault("round_trip") + summary.Dropped.GetValueOrDefault("exact_duplicate"));
        Assert.True(summary.Dropped.GetValueOrDefault("round_trip") >= 1, dropped);
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
