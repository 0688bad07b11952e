using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.TorchSharp.Tests;

/// <summary>FineTuneEmbedding (the ML.NET layer) with Backend = TorchSharp: the same run as the managed engine.</summary>
public class MLNetBackendTests
{
    public sealed class Pair
    {
        public string A { get; set; } = "";
        public string B { get; set; } = "";
    }

    static Pair[] Pairs()
    {
        string[] words = ["bank", "river", "money", "loan", "water", "fish", "stock", "boat", "price", "shore", "tax", "rain"];
        var rng = new Random(3);
        return Enumerable.Range(0, 16).Select(_ => new Pair
        {
            A = string.Join(" ", Enumerable.Range(0, 3).Select(_ => words[rng.Next(words.Length)])),
            B = string.Join(" ", Enumerable.Range(0, 4).Select(_ => words[rng.Next(words.Length)])),
        }).ToArray();
    }

    static float[][] Tuned(TrainingBackend backend, List<float> losses, string? device = null)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Pairs());
        var t = ml.Transforms.FineTuneEmbedding(new FineTuneEmbeddingOptions
        {
            BaseModelPath = Fixtures.Folder("bert", "tiny-gelu"), AnchorColumnName = "A", PositiveColumnName = "B", Loss = EmbeddingLoss.MultipleNegativesRanking,
            Trainer = { Epochs = 2, BatchSize = 4, LearningRate = 1e-3f, Seed = 7, Dropout = 0, Backend = backend, Device = device, Progress = new SyncProgress(p => losses.Add(p.Loss)) },
            Columns = [new InputOutputColumnPair("E", "A")],
        }).Fit(data);
        return t.Transform(data).GetColumn<float[]>("E").ToArray();
    }

    [Fact]
    public void TorchSharpBackendTrainsLikeTheManagedOne()
    {
        TorchSharpBackend.Register();
        var managedLosses = new List<float>();
        var torchLosses = new List<float>();
        var managed = Tuned(TrainingBackend.Managed, managedLosses);
        var torch = Tuned(TrainingBackend.TorchSharp, torchLosses);
        Assert.Equal(managedLosses.Count, torchLosses.Count);
        Assert.Equal(8, torchLosses.Count);
        for (int i = 0; i < torchLosses.Count; i++) Assert.True(Math.Abs(torchLosses[i] - managedLosses[i]) < 1e-4, $"step {i + 1}: {torchLosses[i]} vs managed {managedLosses[i]}");
        double max = 0;
        for (int r = 0; r < managed.Length; r++) max = Math.Max(max, Fixtures.MaxAbsDiff(torch[r], managed[r]));
        Assert.True(max < 1e-4, $"vectors differ by {max:g3}");
        // and training moved the model (the comparison is not between two untrained copies)
        var untrained = SentenceEncoder.Load(Fixtures.Folder("bert", "tiny-gelu")).Encode(Pairs().Select(p => p.A).ToList());
        double moved = 0;
        for (int r = 0; r < managed.Length; r++) moved = Math.Max(moved, Fixtures.MaxAbsDiff(torch[r], untrained[r]));
        Assert.True(moved > 1e-3, $"training moved the vectors by only {moved:g3}");
    }

    [Fact]
    public void CudaWithoutCudaIsAClearError()
    {
        if (TorchSharpBackend.IsCudaAvailable()) return; // nothing to check where CUDA exists
        TorchSharpBackend.Register();
        var ex = Assert.Throws<ConfigurationException>(() => Tuned(TrainingBackend.TorchSharp, new List<float>(), "cuda"));
        Assert.Contains("CUDA is not available", ex.Message);
        Assert.Contains("no silent CPU fallback", ex.Message);
    }
}
