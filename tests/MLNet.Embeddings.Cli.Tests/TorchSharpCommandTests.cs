using System.Text.Json;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary><c>train --backend torchsharp</c> and <c>embed --backend torchsharp</c> (libtorch CPU), and the device errors.</summary>
[Collection("Console")]
public class TorchSharpCommandTests
{
    static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    static string Model => Path.Combine(Root(), "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
    static string Fixture => Path.Combine(Root(), "tests", "MLNet.Embeddings.Training.Tests", "Fixtures", "training", "bert-mnrl");
    static string Temp() => Path.Combine(Path.GetTempPath(), "mlnet-torch-cli", Guid.NewGuid().ToString("N"));

    [Fact]
    public void TrainOnTorchSharpMatchesPyTorch()
    {
        string output = Temp();
        var (rc, stdout, stderr) = ConsoleRun.Cli("train", "--model", Model, "--train", Path.Combine(Fixture, "train.jsonl"), "--output", output,
            "--loss", "mnrl", "--max-steps", "3", "--batch-size", "4", "--lr", "1e-3", "--no-shuffle", "--dropout", "0",
            "--weight-decay", "0", "--warmup-ratio", "0", "--backend", "torchsharp", "--device", "cpu");
        Assert.True(rc == 0, stderr);
        Assert.Contains("\"steps\":3", stdout);
        var expected = SafeTensors.Read(Path.Combine(Fixture, "expected.safetensors"));
        foreach (var p in ((Backbones.ITrainableBackbone)SentenceEncoder.Load(output).Backbone).Parameters)
        {
            if (p.Name.EndsWith("attention.self.key.bias", StringComparison.Ordinal)) continue; // zero true gradient
            var ex = expected[p.Name].Value;
            for (int i = 0; i < ex.Length; i++) Assert.True(MathF.Abs(ex[i] - p.Value[i]) <= 1e-4f, $"{p.Name}[{i}]: {p.Value[i]} vs torch {ex[i]}");
        }
    }

    [Fact]
    public void EmbedOnTorchSharpGivesTheManagedVectors()
    {
        string dir = Temp(); Directory.CreateDirectory(dir);
        string input = Path.Combine(dir, "in.txt");
        File.WriteAllText(input, "left center play\nhis your series air\nwoman knew due world\n");
        var (rc1, managed, e1) = ConsoleRun.Cli("embed", "--model", Model, "--input", input);
        var (rc2, torch, e2) = ConsoleRun.Cli("embed", "--model", Model, "--input", input, "--backend", "torchsharp");
        Assert.True(rc1 == 0, e1); Assert.True(rc2 == 0, e2);
        var a = Parse(managed); var b = Parse(torch);
        Assert.Equal(3, a.Count); Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
            for (int j = 0; j < a[i].Length; j++) Assert.True(MathF.Abs(a[i][j] - b[i][j]) < 1e-4f, $"row {i} dim {j}: {a[i][j]} vs {b[i][j]}");
    }

    static List<float[]> Parse(string jsonl) => jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
    {
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
    }).ToList();

    [Fact]
    public void CudaOnTheManagedBackendIsRefused()
    {
        var (rc, _, stderr) = ConsoleRun.Cli("train", "--model", Model, "--train", Path.Combine(Fixture, "train.jsonl"), "--output", Temp(),
            "--max-steps", "1", "--device", "cuda");
        Assert.NotEqual(0, rc);
        Assert.Contains("--backend torchsharp", stderr);
    }

    [Fact]
    public void CudaThatIsAbsentIsAnErrorNotACpuRun()
    {
        if (MLNet.Embeddings.TorchSharp.TorchSharpBackend.IsCudaAvailable()) return; // a CUDA machine runs it for real
        string output = Temp();
        var (rc, _, stderr) = ConsoleRun.Cli("train", "--model", Model, "--train", Path.Combine(Fixture, "train.jsonl"), "--output", output,
            "--max-steps", "1", "--backend", "torchsharp", "--device", "cuda:0");
        Assert.NotEqual(0, rc);
        Assert.Contains("CUDA is not available", stderr);
        Assert.False(File.Exists(Path.Combine(output, "model.safetensors")), "nothing may have been trained on the CPU instead");
    }
}
