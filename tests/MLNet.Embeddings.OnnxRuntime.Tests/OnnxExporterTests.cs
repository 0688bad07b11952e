using MLNet.Embeddings.OnnxRuntime.Backbones;
using MLNet.Embeddings.OnnxRuntime.Export;
using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

public sealed class OnnxExporterTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-onnx-export-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }

    static OnnxOptions Options() => new() { IntraOpThreads = 1 };
    static BertExportConfig TinyConfig => BertExportConfig.Read(OrtTestEnvironment.Fixture("tiny-bert", "config.json"));
    static Dictionary<string, Tensors.Parameter> TinyWeights => TestSafeTensors.Read(OrtTestEnvironment.Fixture("tiny-bert", "model.safetensors"));

    string Export(OnnxExportOptions options, string name = "model.onnx")
        => OnnxExporter.ExportBert(TinyConfig, TinyWeights, Path.Combine(_dir, name), options).ModelPath;

    [Theory]
    [InlineData(17)]
    [InlineData(14)]
    public void Exported_last_hidden_state_matches_torch(int opset)
    {
        var reference = Reference.Load();
        var path = Export(new OnnxExportOptions { Opset = opset, IncludePooling = false });
        using var backbone = OnnxBackbone.Open(path, Options());
        Assert.Equal("last_hidden_state", backbone.TokenOutput);
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], backbone.Session.Inputs.Select(i => i.Name));
        Assert.Equal(["batch", "sequence"], backbone.Session.Inputs[0].SymbolicShape);
        Reference.Close(reference.PackedHidden(), backbone.Forward(reference.Batch()), 1e-4f);
    }

    [Fact]
    public void Pooling_and_normalisation_in_the_graph_match_torch()
    {
        var reference = Reference.Load();
        var path = Export(new OnnxExportOptions { Pooling = PoolingMode.Mean, Normalize = true });
        using var backbone = OnnxBackbone.Open(path, Options());
        var pooled = Assert.IsType<OnnxPooledBackbone>(backbone);
        Assert.Equal(reference.HiddenSize, pooled.Dimensions);
        Assert.Equal("token_embeddings", pooled.TokenOutput);
        var batch = reference.Batch();
        Reference.Close(reference.Sequences.SelectMany(s => s.MeanNormalized).ToArray(), pooled.ForwardPooled(batch), 1e-4f);
        Reference.Close(reference.PackedHidden(), pooled.Forward(batch), 1e-4f);
    }

    [Fact]
    public void Cls_and_max_pooling_match_a_pooling_of_the_reference()
    {
        var reference = Reference.Load();
        int h = reference.HiddenSize;
        foreach (var mode in new[] { PoolingMode.Cls, PoolingMode.Max, PoolingMode.MeanSqrtLen })
        {
            var expected = new List<float>();
            foreach (var s in reference.Sequences)
            {
                int n = s.Ids.Length;
                for (int d = 0; d < h; d++)
                {
                    var column = Enumerable.Range(0, n).Select(t => s.Hidden[t * h + d]).ToArray();
                    expected.Add(mode switch
                    {
                        PoolingMode.Cls => column[0],
                        PoolingMode.Max => column.Max(),
                        _ => column.Sum() / MathF.Sqrt(n),
                    });
                }
            }
            using var backbone = (OnnxPooledBackbone)OnnxBackbone.Open(Export(new OnnxExportOptions { Pooling = mode }, $"{mode}.onnx"), Options());
            Reference.Close(expected.ToArray(), backbone.ForwardPooled(reference.Batch()), 1e-4f);
        }
    }

    [Fact]
    public void External_data_file_loads_and_matches()
    {
        var reference = Reference.Load();
        var result = OnnxExporter.ExportBert(TinyConfig, TinyWeights, Path.Combine(_dir, "ext.onnx"),
            new OnnxExportOptions { IncludePooling = false, ExternalData = true });
        Assert.NotNull(result.ExternalDataPath);
        Assert.True(new FileInfo(result.ExternalDataPath!).Length > new FileInfo(result.ModelPath).Length);
        using var backbone = OnnxBackbone.Open(result.ModelPath, Options());
        Reference.Close(reference.PackedHidden(), backbone.Forward(reference.Batch()), 1e-4f);
    }

    [Fact]
    public void Int8_export_stays_close_to_float()
    {
        var reference = Reference.Load();
        var batch = reference.Batch();
        var fp32 = Export(new OnnxExportOptions { Normalize = true }, "fp32.onnx");
        var int8 = Export(new OnnxExportOptions { Normalize = true, Quantize = OnnxQuantization.Int8, ReduceRange = OrtTestEnvironment.Int8ReduceRange }, "int8.onnx");
        Assert.True(new FileInfo(int8).Length < new FileInfo(fp32).Length);
        using var a = (OnnxPooledBackbone)OnnxBackbone.Open(fp32, Options());
        using var b = (OnnxPooledBackbone)OnnxBackbone.Open(int8, Options());
        var x = a.ForwardPooled(batch);
        var y = b.ForwardPooled(batch);
        int d = a.Dimensions;
        for (int i = 0; i < batch.Count; i++)
        {
            float cos = 0;
            for (int k = 0; k < d; k++) cos += x[i * d + k] * y[i * d + k]; // both L2-normalised
            Assert.True(cos > 0.98f, $"sequence {i}: cosine(int8, fp32) = {cos}");
            Assert.True(cos < 0.999999f, "int8 output equals fp32: quantisation did not happen");
        }
    }

    [Fact]
    public void Unsupported_settings_name_the_setting()
    {
        var ex = Assert.Throws<ConfigurationException>(() => Export(new OnnxExportOptions { Opset = 12 }));
        Assert.Equal("opset", ex.Setting);
        var pool = Assert.Throws<ConfigurationException>(() => Export(new OnnxExportOptions { Pooling = PoolingMode.WeightedMean }));
        Assert.Contains("--no-pooling", pool.Message);
    }
}
