using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML;
using MLNet.Embeddings.ML.TorchSharp;

namespace MLNet.Embeddings.TorchSharp.Tests;

/// <summary>ApplyEmbedding with Backend = TorchSharp: libtorch inference behind the embedding stage's backend seam.</summary>
public class StageBackendTests
{
    public sealed class Row { public string Text { get; set; } = ""; }

    [Fact]
    public void ApplyEmbeddingOnTorchSharpMatchesTheManagedEngineAndReloadsFromItsZip()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { "hello world", "the quick brown fox jumps", "a", "bank river money loan water" }.Select(t => new Row { Text = t }));
        Assert.True(EmbeddingStageBackends.IsAvailable(EmbeddingBackend.TorchSharp)); // found from the referenced MLNet.Embeddings.ML.TorchSharp, no registration call
        string model = Fixtures.Folder("bert", "tiny-gelu");
        var managed = ml.Transforms.ApplyEmbedding("E", "Text", model).Fit(data).Transform(data).GetColumn<float[]>("E").ToArray();
        var options = new ApplyEmbeddingOptions { Backend = EmbeddingBackend.TorchSharp, Device = "cpu", Prompt = Guid.NewGuid().ToString("N")[..4] + " " };
        var managedPrompted = ml.Transforms.ApplyEmbedding("E", "Text", model, new ApplyEmbeddingOptions { Prompt = options.Prompt }).Fit(data).Transform(data).GetColumn<float[]>("E").ToArray();
        var fitted = ml.Transforms.ApplyEmbedding("E", "Text", model, options).Fit(data);
        Assert.IsType<TorchBertBackbone>(fitted.Encoder.Backbone);
        var torch = fitted.Transform(data).GetColumn<float[]>("E").ToArray();
        double max = 0;
        for (int r = 0; r < torch.Length; r++) max = Math.Max(max, Fixtures.MaxAbsDiff(torch[r], managedPrompted[r]));
        Assert.True(max < 1e-4, $"TorchSharp stage differs from the managed one by {max:g3}");
        Assert.True(Fixtures.MaxAbsDiff(managed[0], managedPrompted[0]) > 1e-4); // the prompt reached both engines

        string zip = Path.Combine(Path.GetTempPath(), "mlnet-ts-tests", Guid.NewGuid().ToString("N"), "model.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(zip)!);
        ml.Model.Save(fitted, data.Schema, zip);
        var reloaded = EmbeddingModel.Load(new MLContext(), zip, out _).Transform(data).GetColumn<float[]>("E").ToArray();
        for (int r = 0; r < torch.Length; r++) Assert.True(Fixtures.MaxAbsDiff(reloaded[r], torch[r]) < 1e-5, $"row {r} changed through save and load");
        Assert.Equal(typeof(TorchSharpStageBackend).Assembly.GetName().Name, EmbeddingStageBackends.PackageOf(EmbeddingBackend.TorchSharp));
    }

    public sealed class Pair { public string A { get; set; } = ""; public string B { get; set; } = ""; }

    [Fact]
    public void FineTunedStageRunsOnTorchSharpFromTheWrittenModel()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 8).Select(i => new Pair { A = $"bank river {i}", B = $"money loan {i}" }));
        string output = Path.Combine(Path.GetTempPath(), "mlnet-ts-tests", Guid.NewGuid().ToString("N"), "tuned");
        var fitted = ml.Transforms.FineTuneEmbedding(new FineTuneEmbeddingOptions
        {
            BaseModelPath = Fixtures.Folder("bert", "tiny-gelu"), AnchorColumnName = "A", PositiveColumnName = "B", OutputModelPath = output,
            Trainer = { Epochs = 1, BatchSize = 4, LearningRate = 1e-3f, Dropout = 0 },
            Embedding = { Backend = EmbeddingBackend.TorchSharp },
        }).Fit(data);
        Assert.IsType<TorchBertBackbone>(fitted.Encoder.Backbone);
        var viaStage = fitted.Transform(data).GetColumn<float[]>("Features").ToArray();
        var managed = SentenceEncoder.Load(output).Encode(Enumerable.Range(0, 8).Select(i => $"bank river {i}").ToList());
        for (int r = 0; r < managed.Length; r++) Assert.True(Fixtures.MaxAbsDiff(viaStage[r], managed[r]) < 1e-4, $"row {r}");
    }
}
