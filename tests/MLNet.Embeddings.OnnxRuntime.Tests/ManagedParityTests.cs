using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Backbones.Static;
using MLNet.Embeddings.OnnxRuntime.Backbones;
using MLNet.Embeddings.OnnxRuntime.Export;
using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>The managed backbones against ONNX Runtime running the same weights.</summary>
public sealed class ManagedParityTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-onnx-parity-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }

    static OnnxOptions Options() => new() { IntraOpThreads = 1 };

    [Fact]
    public void Managed_bert_matches_ort_running_the_torch_export()
    {
        var batch = Reference.Load().Batch();
        var managed = BertBackbone.Load(OrtTestEnvironment.Fixture("tiny-bert")).Forward(batch);
        using var ort = OnnxBackbone.Open(OrtTestEnvironment.Fixture("tiny-bert", "onnx", "model.onnx"), Options());
        Reference.Close(ort.Forward(batch), managed, 1e-4f);
    }

    [Fact]
    public void Export_of_a_model_folder_runs_in_ort_like_the_managed_model()
    {
        var folder = OrtTestEnvironment.Fixture("tiny-bert");
        var result = OnnxExporter.Export(folder, Path.Combine(_dir, "model.onnx"), new OnnxExportOptions { IncludePooling = false });
        var batch = Reference.Load().Batch();
        using var ort = OnnxBackbone.Open(result.ModelPath, Options());
        Reference.Close(BertBackbone.Load(folder).Forward(batch), ort.Forward(batch), 1e-4f);
    }

    [Fact]
    public void Export_of_a_random_roberta_shaped_backbone_matches_managed()
    {
        var config = new BertConfig
        {
            ModelType = "roberta", VocabSize = 300, HiddenSize = 24, NumHiddenLayers = 2, NumAttentionHeads = 3,
            IntermediateSize = 48, MaxPositionEmbeddings = 40, TypeVocabSize = 1, PadTokenId = 1, HiddenAct = Kernels.ActivationKind.GeluTanh,
        };
        var backbone = BertBackbone.Create(config, seed: 5);
        foreach (var p in backbone.Parameters) // initialisation is tiny; make the layers matter
            for (int i = 0; i < p.Value.Length; i++) p.Value[i] *= 8f;
        var rng = new Random(3);
        int[] lengths = [6, 17, 2, 30];
        var starts = new int[lengths.Length + 1];
        for (int i = 0; i < lengths.Length; i++) starts[i + 1] = starts[i] + lengths[i];
        var batch = new TokenBatch(Enumerable.Range(0, starts[^1]).Select(_ => rng.Next(3, 300)).ToArray(), new int[starts[^1]], starts);
        var result = OnnxExporter.Export(backbone, new SentenceEncoderConfig(), Path.Combine(_dir, "roberta.onnx"), new OnnxExportOptions { IncludePooling = false });
        using var ort = OnnxBackbone.Open(result.ModelPath, Options());
        Reference.Close(backbone.Forward(batch), ort.Forward(batch), 1e-4f);
    }

    [Fact]
    public void Static_vectors_export_pools_like_a_masked_mean()
    {
        int vocab = 50, dim = 8;
        var rng = new Random(11);
        var table = Enumerable.Range(0, vocab * dim).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var backbone = new StaticEmbeddingBackbone(table, dim);
        var config = new SentenceEncoderConfig { Pooling = PoolingMode.Mean, Normalize = false };
        var result = OnnxExporter.Export(backbone, config, Path.Combine(_dir, "static.onnx"));
        int[] ids = [1, 2, 3, 4, 5, 6, 7];
        var batch = new TokenBatch(ids, new int[ids.Length], [0, 3, 7]);
        using var ort = Assert.IsType<OnnxPooledBackbone>(OnnxBackbone.Open(result.ModelPath, Options()));
        var expected = new float[2 * dim];
        for (int s = 0; s < 2; s++)
            for (int t = batch.Starts[s]; t < batch.Starts[s + 1]; t++)
                for (int d = 0; d < dim; d++) expected[s * dim + d] += table[ids[t] * dim + d] / batch.Length(s);
        Reference.Close(expected, ort.ForwardPooled(batch), 1e-5f);
        Reference.Close(backbone.Forward(batch), ort.Forward(batch), 1e-6f);
    }
}
