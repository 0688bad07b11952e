using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Tests.Hub;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>
/// ScoreRelevance on a model name, resolved as ApplyEmbedding resolves one: a loopback Hub (<see cref="FakeHub"/>) serves
/// a tiny cross-encoder; saved with <see cref="ModelStorage.Reference"/> the zip carries the pinned name, downloaded
/// again on load into an empty cache.
/// </summary>
[Collection("CurrentDirectory")]
public sealed class ScoreRelevanceByNameTests
{
    public sealed class Row
    {
        public string Query { get; set; } = "";
        public string Doc { get; set; } = "";
    }

    static readonly string[] Variables = ["HF_ENDPOINT", "HF_HUB_CACHE", "HF_HUB_OFFLINE", "HF_TOKEN"];

    [Fact]
    public void A_reranker_by_hub_name_scores_as_its_folder_and_reloads_by_pinned_reference()
    {
        using var hub = new FakeHub();
        string dir = TestData.TempDir(), folder = Path.Combine(dir, "reranker");
        CrossEncoder.FromEncoder(TestData.TinyBert, numLabels: 1, seed: 5).Save(folder);
        string commit = hub.AddFolder("tiny-org/tiny-reranker", folder).Commit;
        var saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable("HF_ENDPOINT", hub.Endpoint);
            Environment.SetEnvironmentVariable("HF_HUB_CACHE", Path.Combine(dir, "hub"));
            Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", null);
            Environment.SetEnvironmentVariable("HF_TOKEN", null);
            var rows = new[]
            {
                new Row { Query = "the cat", Doc = "the cat sat on the mat" }, new Row { Query = "stock prices", Doc = "rain" },
                new Row { Query = "bank", Doc = "the bank raised its dividend" },
            };
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(rows);
            var t = ml.Transforms.ScoreRelevance("S", "Query", "Doc", "tiny-org/tiny-reranker", new ScoreRelevanceOptions { Storage = ModelStorage.Reference }).Fit(data);
            var expected = CrossEncoder.Load(folder).Predict(rows.Select(r => (r.Query, r.Doc)).ToArray());
            Assert.Equal(expected, t.Transform(data).GetColumn<float>("S").ToArray());
            Assert.True(Directory.Exists(Path.Combine(dir, "hub", "models--tiny-org--tiny-reranker", "snapshots", commit)));

            string zip = Path.Combine(dir, "by-name.zip");
            ml.Model.Save(t, data.Schema, zip);
            Assert.True(new FileInfo(zip).Length < 20_000); // only the pinned name travels
            Environment.SetEnvironmentVariable("HF_HUB_CACHE", Path.Combine(dir, "hub2")); // another machine: nothing cached
            var reloaded = EmbeddingModel.Load(new MLContext(), zip, out _).Transform(data).GetColumn<float>("S").ToArray();
            Assert.Equal(expected, reloaded);
            Assert.True(Directory.Exists(Path.Combine(dir, "hub2", "models--tiny-org--tiny-reranker", "snapshots", commit)));
        }
        finally
        {
            foreach (var (k, v) in saved) Environment.SetEnvironmentVariable(k, v);
        }
    }
}
