using System.Diagnostics;
using System.Text.Json;
using MLNet.Embeddings.OnnxRuntime.Export;
using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>The exported file runs in the official ONNX Runtime of another language (Node.js, onnxruntime-node).</summary>
public sealed class NodeCheckTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-onnx-node-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }

    internal static string? NodePackage()
    {
        var p = Path.Combine(OrtTestEnvironment.RepoRoot, ".cache", "npm", "node_modules", "onnxruntime-node");
        return Directory.Exists(p) && Directory.Exists(Path.Combine(p, "..", "onnxruntime-common")) ? p : null;
    }

    internal static string? Node()
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, OperatingSystem.IsWindows() ? "node.exe" : "node")).FirstOrDefault(File.Exists);

    [NodeFact]
    public void Exported_model_runs_in_onnxruntime_node_like_torch()
    {
        var reference = Reference.Load();
        var model = OnnxExporter.ExportBert(BertExportConfig.Read(OrtTestEnvironment.Fixture("tiny-bert", "config.json")),
            TestSafeTensors.Read(OrtTestEnvironment.Fixture("tiny-bert", "model.safetensors")), Path.Combine(_dir, "model.onnx"),
            new OnnxExportOptions { Pooling = PoolingMode.Mean, Normalize = true }).ModelPath;
        // Sequences of one segment (the script sends type ids 0).
        var sequences = reference.Sequences.Where(s => s.Types.All(t => t == 0)).ToList();
        Assert.True(sequences.Count >= 2);
        var psi = new ProcessStartInfo(Node()!)
        {
            ArgumentList = { Path.Combine(OrtTestEnvironment.RepoRoot, "tools", "ort-check", "check.js"), model, JsonSerializer.Serialize(sequences.Select(s => s.Ids)) },
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "node did not finish in 60 s");
        Assert.True(process.ExitCode == 0, stderr.Result);
        using var json = JsonDocument.Parse(stdout.Result);
        var pooled = json.RootElement.GetProperty("outputs").GetProperty("sentence_embedding");
        Assert.Equal([sequences.Count, reference.HiddenSize], pooled.GetProperty("dims").EnumerateArray().Select(d => d.GetInt32()));
        var actual = pooled.GetProperty("data").EnumerateArray().Select(d => d.GetSingle()).ToArray();
        Reference.Close(sequences.SelectMany(s => s.MeanNormalized).ToArray(), actual, 1e-4f);
    }
}

/// <summary>Skipped unless node and onnxruntime-node (in &lt;repo&gt;/.cache/npm) are present.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (NodeCheckTests.Node() is null) Skip = "node not found on PATH.";
        else if (NodeCheckTests.NodePackage() is null)
            Skip = "onnxruntime-node not installed: npm install --ignore-scripts --prefix .cache/npm onnxruntime-node@1.30.0 (from the repository root).";
    }
}
