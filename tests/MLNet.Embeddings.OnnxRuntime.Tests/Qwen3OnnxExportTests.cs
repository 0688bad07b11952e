using System.Diagnostics;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Qwen3;
using MLNet.Embeddings.OnnxRuntime.Backbones;
using MLNet.Embeddings.OnnxRuntime.Export;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>
/// Qwen3 exported by our writer and run in ONNX Runtime equals the managed Qwen3 backbone within 1e-4 (the tiny
/// random folders of MLNet.Embeddings.Tests: grouped-query heads, head_dim ≠ hidden/heads, a sliding-window layer,
/// biases with a <c>model.</c> prefix, the Qwen3-Embedding layout with last-token pooling and Normalize).
/// </summary>
public sealed class Qwen3OnnxExportTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-onnx-qwen3-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }

    internal static string Folder(string name) => Path.Combine(OrtTestEnvironment.RepoRoot, "tests", "MLNet.Embeddings.Tests", "Fixtures", "qwen3", name);

    /// <summary>Random ids for texts of the given lengths (a padded batch when they differ).</summary>
    internal static TokenBatch Batch(int vocab, int seed, params int[] lengths)
    {
        var rng = new Random(seed);
        return TokenBatch.From(lengths.Select(n =>
        {
            var ids = Enumerable.Range(0, n).Select(_ => rng.Next(vocab)).ToArray();
            return new TokenizedText(ids, new int[n], new (int, int)[n]);
        }).ToList());
    }

    static OnnxOptions Options(bool pooled = true) => new() { IntraOpThreads = 1, UsePooledOutput = pooled };

    [Theory]
    [InlineData("tiny-gqa-sliding")]
    [InlineData("tiny-bias-prefixed")]
    [InlineData("qwen3-embedding")]
    public void Exported_hidden_states_match_the_managed_backbone(string name)
    {
        var managed = Qwen3Backbone.Load(Folder(name));
        var path = OnnxExporter.Export(managed, new SentenceEncoderConfig(), Path.Combine(_dir, name + ".onnx"), new OnnxExportOptions { IncludePooling = false }).ModelPath;
        using var onnx = OnnxBackbone.Open(path, Options());
        Assert.Equal("last_hidden_state", onnx.TokenOutput);
        int vocab = managed.Config.VocabSize;
        // Lengths across the sliding window (4 in tiny-gqa-sliding), alone and as a padded batch.
        int[][] batches = [[1], [3], [4], [5], [9], [17], [9, 2, 17, 5, 1, 4]];
        int seed = 0;
        foreach (var lengths in batches)
        {
            var batch = Batch(vocab, seed++, lengths);
            Reference.Close(managed.Forward(batch), onnx.Forward(batch), 1e-4f);
        }
    }

    [Fact]
    public void Embedding_folder_exports_last_token_pooling_and_normalisation_in_the_graph()
    {
        var encoder = SentenceEncoder.Load(Folder("qwen3-embedding"));
        Assert.Equal(PoolingMode.LastToken, encoder.Config.Pooling);
        Assert.True(encoder.Config.Normalize);
        var path = OnnxExporter.Export(encoder, Path.Combine(_dir, "pooled.onnx")).ModelPath;
        using var onnx = OnnxBackbone.Open(path, Options());
        var pooled = Assert.IsType<OnnxPooledBackbone>(onnx);
        var batch = Batch(((Qwen3Backbone)encoder.Backbone).Config.VocabSize, 7, 6, 1, 11, 3);
        var hidden = encoder.Backbone.Forward(batch);
        int h = encoder.Backbone.HiddenSize;
        var expected = new float[batch.Count * h];
        for (int i = 0; i < batch.Count; i++)
        {
            var last = hidden.AsSpan((batch.Starts[i + 1] - 1) * h, h);
            float norm = MathF.Sqrt(last.ToArray().Sum(v => v * v));
            for (int d = 0; d < h; d++) expected[i * h + d] = last[d] / norm;
        }
        Reference.Close(expected, pooled.ForwardPooled(batch), 1e-4f);
    }

    [PythonOnnxFact]
    public void Exported_graphs_pass_the_onnx_checker()
    {
        var managed = Qwen3Backbone.Load(Folder("tiny-gqa-sliding"));
        foreach (var pooling in new[] { false, true })
        {
            var path = OnnxExporter.Export(managed, new SentenceEncoderConfig { Pooling = PoolingMode.LastToken, Normalize = true },
                Path.Combine(_dir, $"check-{pooling}.onnx"), new OnnxExportOptions { IncludePooling = pooling }).ModelPath;
            Assert.Null(OnnxChecker.Check(path));
        }
    }
}

/// <summary>onnx.checker.check_model(full_check=True) through /usr/bin/python3 with the onnx package.</summary>
internal static class OnnxChecker
{
    const string Python = "/usr/bin/python3";

    public static bool Available()
    {
        if (!File.Exists(Python)) return false;
        using var p = Process.Start(new ProcessStartInfo(Python) { ArgumentList = { "-c", "import onnx" }, RedirectStandardError = true })!;
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    /// <summary>Null when the checker passes, else its message (or "" when the checker cannot run).</summary>
    public static string? Check(string path)
    {
        if (!Available()) return "";
        using var p = Process.Start(new ProcessStartInfo(Python)
        {
            ArgumentList = { "-c", "import onnx, sys; onnx.checker.check_model(sys.argv[1], full_check=True)", path },
            RedirectStandardError = true, RedirectStandardOutput = true,
        })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? null : err;
    }
}

/// <summary>Skipped unless /usr/bin/python3 has the onnx package.</summary>
public sealed class PythonOnnxFactAttribute : FactAttribute
{
    public PythonOnnxFactAttribute()
    {
        if (!OnnxChecker.Available()) Skip = "/usr/bin/python3 with the onnx package not found.";
    }
}
