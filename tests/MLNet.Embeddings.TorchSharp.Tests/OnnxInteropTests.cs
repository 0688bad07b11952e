using MLNet.Embeddings.OnnxRuntime;
using MLNet.Embeddings.OnnxRuntime.Export;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.TorchSharp.Tests;

/// <summary>A model tuned on TorchSharp, exported to ONNX by our exporter, gives the same vectors in ONNX Runtime.</summary>
public class OnnxInteropTests
{
    const string NpmLibrary = ".cache/npm/ort/package/bin/napi-v6/linux/x64/libonnxruntime.so.1";

    internal static string? OrtLibrary()
    {
        var env = Environment.GetEnvironmentVariable(OrtRuntime.EnvironmentVariable);
        if (!string.IsNullOrEmpty(env) && File.Exists(env)) return env;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, NpmLibrary))) return Path.Combine(d.FullName, NpmLibrary);
        return null;
    }

    [OrtFact]
    public void TunedModelGivesTheSameVectorsInOnnxRuntime()
    {
        string dir = Fixtures.TempDir();
        var model = TrainingParityTests.TinyBert();
        var options = TrainingParityTests.Options(1e-3f);
        options.OutputDirectory = dir;
        new SentenceEncoderTrainer(model, new MultipleNegativesRankingLoss(), options)
            .Fit(TrainingDataReader.Read(Path.Combine(Fixtures.Folder("bert-mnrl"), "train.jsonl")));
        Directory.CreateDirectory(Path.Combine(dir, "onnx"));
        OnnxExporter.Export(dir, Path.Combine(dir, "onnx", "model.onnx"), new OnnxExportOptions { IncludePooling = false });

        string[] texts = ["left center play", "his your series air", "woman knew due world"];
        var onTorch = TorchSharpBackend.Load(dir).Encode(texts);
        var onOnnx = OnnxSentenceEncoder.Load(dir, new OnnxOptions { LibraryPath = OrtLibrary() }).Encode(texts);
        for (int i = 0; i < texts.Length; i++)
            Assert.True(Fixtures.MaxAbsDiff(onOnnx[i], onTorch[i]) < 1e-4, $"text {i}: {Fixtures.MaxAbsDiff(onOnnx[i], onTorch[i]):g3}");
    }
}

/// <summary>A fact skipped (with instructions) when the ONNX Runtime native library is not found.</summary>
public sealed class OrtFactAttribute : FactAttribute
{
    public OrtFactAttribute()
    {
        if (OnnxInteropTests.OrtLibrary() is null)
            Skip = "ONNX Runtime native library not found: set MLNET_ONNXRUNTIME_PATH, or run .ci/run (it unpacks onnxruntime-node@1.30.0 into .cache/npm).";
    }
}
