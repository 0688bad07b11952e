using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML;
using MLNet.Embeddings.OnnxRuntime.Export;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tokenization;
using Xunit.Abstractions;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>
/// Our ONNX export (pooling and normalisation inside the graph) run by stock ML.NET ApplyOnnxModel, fed by our tokenizer
/// through a CustomMapping, gives ApplyEmbedding's vectors.
/// </summary>
public sealed class OnnxInteropTests(ITestOutputHelper output)
{
    public sealed class TextRow { public string Text { get; set; } = ""; }

    /// <summary>The three BERT inputs, padded to a fixed length (ApplyOnnxModel needs fixed shapes).</summary>
    public sealed class Tokens
    {
        [ColumnName("input_ids")] public long[] InputIds { get; set; } = [];
        [ColumnName("attention_mask")] public long[] AttentionMask { get; set; } = [];
        [ColumnName("token_type_ids")] public long[] TokenTypeIds { get; set; } = [];
    }

    /// <summary>A CustomMapping from a text column to padded input_ids / attention_mask / token_type_ids of <paramref name="length"/>.</summary>
    public static IEstimator<ITransformer> Tokenize(MLContext ml, ITokenizer tokenizer, int length)
    {
        var schema = SchemaDefinition.Create(typeof(Tokens));
        foreach (var c in schema) c.ColumnType = new VectorDataViewType(NumberDataViewType.Int64, length);
        return ml.Transforms.CustomMapping<TextRow, Tokens>((row, o) =>
        {
            var t = tokenizer.Encode(row.Text, length, addSpecialTokens: true);
            o.InputIds = new long[length]; o.AttentionMask = new long[length]; o.TokenTypeIds = new long[length];
            for (int i = 0; i < t.Length; i++) { o.InputIds[i] = t.Ids[i]; o.AttentionMask[i] = 1; o.TokenTypeIds[i] = t.TypeIds[i]; }
        }, null, outputSchemaDefinition: schema);
    }

    double MaxDiff(string modelFolder, int length, IReadOnlyList<string> texts)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }));
        string onnx = Path.Combine(TestData.TempDir(), "model.onnx");
        var export = OnnxExporter.Export(modelFolder, onnx, new OnnxExportOptions { Pooling = PoolingMode.Mean, Normalize = true });
        Assert.Contains("sentence_embedding", export.Outputs);
        var model = SentenceEncoder.Load(modelFolder);
        int[] shape = [1, length];
        var stock = Tokenize(ml, model.Tokenizer, length)
            .Append(ml.Transforms.ApplyOnnxModel(["sentence_embedding"], ["input_ids", "attention_mask", "token_type_ids"], onnx,
                new Dictionary<string, int[]> { ["input_ids"] = shape, ["attention_mask"] = shape, ["token_type_ids"] = shape }, gpuDeviceId: null, fallbackToCpu: false, recursionLimit: 100))
            .Fit(data).Transform(data).GetColumn<float[]>("sentence_embedding").ToArray();
        var ours = ml.Transforms.ApplyEmbedding("E", "Text", modelFolder, new ApplyEmbeddingOptions { Pooling = PoolingMode.Mean, Normalize = true, MaxLength = length })
            .Fit(data).Transform(data).GetColumn<float[]>("E").ToArray();
        // and our own ONNX Runtime stage on the same file (EmbeddingBackend.Onnx)
        var ort = ml.Transforms.ApplyEmbedding("E", "Text", modelFolder, new ApplyEmbeddingOptions { Backend = EmbeddingBackend.Onnx, OnnxModelFile = onnx, MaxLength = length })
            .Fit(data).Transform(data).GetColumn<float[]>("E").ToArray();
        Assert.Equal(texts.Count, stock.Length);
        for (int r = 0; r < ours.Length; r++)
            for (int i = 0; i < ours[r].Length; i++) Assert.True(Math.Abs(ours[r][i] - ort[r][i]) < 1e-5, $"row {r}[{i}]: Onnx backend {ort[r][i]} vs managed {ours[r][i]}");
        double max = 0;
        for (int r = 0; r < ours.Length; r++)
        {
            Assert.Equal(ours[r].Length, stock[r].Length);
            for (int i = 0; i < ours[r].Length; i++) max = Math.Max(max, Math.Abs(ours[r][i] - stock[r][i]));
        }
        return max;
    }

    [Fact]
    public void TinyBertExportInApplyOnnxModelEqualsApplyEmbedding()
    {
        string[] texts = ["the cat sat on the mat", "a", "Hello, World! déjà vu", "stock prices rose sharply on tuesday after the report", ""];
        double max = MaxDiff(TestData.TinyBert, 32, texts);
        output.WriteLine($"tiny BERT: max |ApplyOnnxModel − ApplyEmbedding| = {max:g3}");
        Assert.True(max < 1e-5, $"max difference {max:g3}");
    }

    [Fact]
    public void MiniLmExportInApplyOnnxModelEqualsApplyEmbedding()
    {
        var texts = TestData.StsFile(TestData.StsTest).Take(20).SelectMany(p => new[] { p.A, p.B }).ToList();
        double max = MaxDiff(TestData.MiniLm, 128, texts);
        output.WriteLine($"all-MiniLM-L6-v2: max |ApplyOnnxModel − ApplyEmbedding| = {max:g3}");
        Assert.True(max < 1e-5, $"max difference {max:g3}");
    }
}
