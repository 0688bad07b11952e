using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>The embedding stage's engines sit behind <see cref="IEmbeddingStageBackend"/>, selected by ApplyEmbeddingOptions.Backend.</summary>
[Collection("Backends")] // changes the registry's TorchSharp entry
public sealed class BackendSeamTests
{
    sealed class Row { public string Text { get; set; } = ""; }

    /// <summary>A stand-in engine under the TorchSharp key: the managed model, counted (this project has no libtorch).</summary>
    sealed class CountingBackend : IEmbeddingStageBackend
    {
        public int Loads;
        public EmbeddingBackend Backend => EmbeddingBackend.TorchSharp;
        public SentenceEncoder Load(string modelPath, ApplyEmbeddingOptions options) { Interlocked.Increment(ref Loads); return SentenceEncoder.Load(modelPath); }
        public void Pack(SentenceEncoder encoder, string? sourcePath, ApplyEmbeddingOptions options, string folder) => encoder.Save(PackedModelPath(folder));
        public string PackedModelPath(string folder) => Path.Combine(folder, "weights");
    }

    [Fact]
    public void TheBackendOptionPicksTheEngineForFitSaveAndLoadAndAMissingPackageIsNamedAtLoad()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Text = "hello world" }, new Row { Text = "the quick brown fox" } });
        Assert.False(EmbeddingStageBackends.IsAvailable(EmbeddingBackend.TorchSharp)); // this project does not reference MLNet.Embeddings.ML.TorchSharp
        var ex = Assert.Throws<ConfigurationException>(() => ml.Transforms.ApplyEmbedding("E", "Text", TestData.TinyBert, new ApplyEmbeddingOptions { Backend = EmbeddingBackend.TorchSharp }).Fit(data));
        Assert.Equal("Backend", ex.Setting);
        Assert.Contains("MLNet.Embeddings.ML.TorchSharp", ex.Message);

        var engine = new CountingBackend();
        EmbeddingStageBackends.Register(engine);
        string zip = Path.Combine(TestData.TempDir(), "model.zip");
        float[][] expected;
        try
        {
            var options = new ApplyEmbeddingOptions { Backend = EmbeddingBackend.TorchSharp, Prompt = Guid.NewGuid().ToString("N") }; // a state no other test has
            var t = ml.Transforms.ApplyEmbedding("E", "Text", TestData.TinyBert, options).Fit(data);
            Assert.Equal(1, engine.Loads);
            expected = t.Transform(data).GetColumn<float[]>("E").ToArray();
            ml.Model.Save(t, data.Schema, zip);
            var reloaded = EmbeddingModel.Load(new MLContext(), zip, out _); // unpacked from "weights", as the engine packed it
            Assert.Equal(2, engine.Loads);
            Assert.Equal(expected, reloaded.Transform(data).GetColumn<float[]>("E").ToArray());
        }
        finally { EmbeddingStageBackends.Forget(EmbeddingBackend.TorchSharp); }

        // the same zip in a process without the engine: the error names the zip and the package to add
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.Environment["MLNET_EMBEDDINGS_CACHE"] = Path.Combine(Path.GetDirectoryName(zip)!, "unpacked");
        psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        psi.ArgumentList.Add("load-error");
        psi.ArgumentList.Add(zip);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Contains("ModelFormatException", output);
        Assert.Contains(zip, output);
        Assert.Contains("MLNet.Embeddings.ML.TorchSharp", output);
    }

    [Fact]
    public void OnnxRuntimeIsFoundFromItsPackageAndTheMlProjectDoesNotReferenceIt()
    {
        Assert.True(EmbeddingStageBackends.IsAvailable(EmbeddingBackend.Onnx)); // this test project references MLNet.Embeddings.ML.OnnxRuntime
        var refs = typeof(EmbeddingCatalog).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        Assert.DoesNotContain(refs, r => r.Contains("OnnxRuntime", StringComparison.Ordinal) || r.Contains("Protobuf", StringComparison.Ordinal) || r.Contains("TorchSharp", StringComparison.Ordinal));
        string csproj = File.ReadAllText(Path.Combine(TestData.Root, "src", "MLNet.Embeddings.ML", "MLNet.Embeddings.ML.csproj"));
        Assert.DoesNotContain("OnnxRuntime", csproj);
        Assert.DoesNotContain("Protobuf", csproj);
    }
}

[CollectionDefinition("Backends")]
public sealed class BackendsCollection { }
