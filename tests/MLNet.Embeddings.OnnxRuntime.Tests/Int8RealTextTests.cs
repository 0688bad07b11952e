using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.OnnxRuntime.Backbones;
using MLNet.Embeddings.OnnxRuntime.Export;
using MLNet.Embeddings.Tokenization;
using Xunit.Abstractions;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>int8 against fp32 on real sentences (STS-B dev) through the tiny random model and its real (subset) WordPiece vocabulary.</summary>
public sealed class Int8RealTextTests(ITestOutputHelper output) : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-onnx-int8-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }

    static IReadOnlyList<string> StsSentences(int count)
    {
        var path = Path.GetFullPath(Path.Combine(OrtTestEnvironment.RepoRoot, "..", "shared", "data", "stsbenchmark", "sts-dev.csv"));
        if (!File.Exists(path)) throw new FileNotFoundException($"shared data missing: {path} (STS benchmark, see ../shared/data/README.md)", path);
        return File.ReadLines(path).Select(l => l.Split('\t')).Where(f => f.Length >= 7)
            .SelectMany(f => new[] { f[5], f[6] }).Distinct().Take(count).ToList();
    }

    [Fact]
    public void Int8_embeddings_of_sts_sentences_stay_close_to_fp32()
    {
        var folder = OrtTestEnvironment.Fixture("tiny-bert");
        var tokenizer = TokenizerLoader.Load(folder);
        var texts = StsSentences(256).Select(t => tokenizer.Encode(t, maxLength: 64)).OrderBy(t => t.Length).ToList();
        var options = new OnnxExportOptions { Normalize = true };
        var fp32 = OnnxExporter.Export(folder, Path.Combine(_dir, "fp32.onnx"), options).ModelPath;
        options.Quantize = OnnxQuantization.Int8;
        options.ReduceRange = OrtTestEnvironment.Int8ReduceRange;
        var int8 = OnnxExporter.Export(folder, Path.Combine(_dir, "int8.onnx"), options).ModelPath;
        var ortOptions = new OnnxOptions { IntraOpThreads = 1 };
        using var a = (OnnxPooledBackbone)OnnxBackbone.Open(fp32, ortOptions);
        using var b = (OnnxPooledBackbone)OnnxBackbone.Open(int8, ortOptions);
        var cosines = new List<float>();
        int d = a.Dimensions;
        for (int i = 0; i < texts.Count; i += 32)
        {
            var batch = TokenBatch.From(texts.Skip(i).Take(32).ToList());
            var x = a.ForwardPooled(batch);
            var y = b.ForwardPooled(batch);
            for (int s = 0; s < batch.Count; s++)
            {
                float dot = 0;
                for (int k = 0; k < d; k++) dot += x[s * d + k] * y[s * d + k];
                cosines.Add(dot);
            }
        }
        float mean = cosines.Average(), min = cosines.Min();
        output.WriteLine($"int8 vs fp32 over {cosines.Count} STS-B dev sentences: mean cosine {mean:F5}, min {min:F5}");
        Assert.True(mean >= 0.99f, $"mean cosine {mean}");
        Assert.True(min >= 0.95f, $"min cosine {min}");
    }
}
