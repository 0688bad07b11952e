using System.Diagnostics;
using System.Text.Json;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.OnnxRuntime.Export;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

/// <summary>
/// Cross-encoders exported with their head (output <c>logits</c>) and run by <see cref="OnnxCrossEncoder"/>: equal to the
/// managed <see cref="CrossEncoder"/> within 1e-4 on unseen texts (truncation included) and to the PyTorch fixtures
/// (tools/fixtures/make_cross_encoder_fixture.py); the file passes the onnx package's checker.
/// </summary>
public sealed class CrossEncoderOnnxTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-onnx-ce-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }

    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "cross-encoder", name);

    static OnnxOptions Options() => new() { IntraOpThreads = 1 };

    /// <summary>A copy of a fixture folder with the export in onnx/model.onnx, as a user's folder after <c>mlnet-embed export</c>.</summary>
    string ExportedCopy(string name, OnnxExportOptions? options = null)
    {
        string folder = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.Combine(folder, "onnx"));
        foreach (var f in Directory.GetFiles(Fixture(name))) File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        var result = OnnxExporter.Export(folder, Path.Combine(folder, "onnx", "model.onnx"), options);
        Assert.Equal(["logits"], result.Outputs);
        Assert.Equal(CrossEncoder.Load(folder).NumLabels, result.Dimensions);
        return folder;
    }

    /// <summary>
    /// Texts the fixtures never saw: seeded draws of the vocabulary's words and pieces, capitals, punctuation and unknown
    /// words, from empty to longer than the model's 64 positions (so longest-first truncation cuts them).
    /// </summary>
    static (string, string)[] HiddenStylePairs(string folder, int count, int seed)
    {
        var words = File.ReadAllLines(Path.Combine(folder, "vocab.txt")).Where(w => w.Length > 1 && !w.StartsWith('[')).ToArray();
        string[] extra = ["Hello,", "WORLD!", "naïve", "zyxwvut", "(e.g.", "2024", "it's", "über-long"];
        var rng = new Random(seed);
        string Text(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => rng.Next(6) == 0 ? extra[rng.Next(extra.Length)]
            : words[rng.Next(words.Length)].Replace("##", "", StringComparison.Ordinal)));
        int[] queryLengths = [0, 1, 3, 6, 12, 30], documentLengths = [0, 2, 9, 25, 50, 90];
        return Enumerable.Range(0, count).Select(i => (Text(queryLengths[i % queryLengths.Length]), Text(documentLengths[(i / 2 + i) % documentLengths.Length]))).ToArray();
    }

    static TokenBatch FixtureBatch(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixture(name), "inputs.json")));
        var ids = doc.RootElement.GetProperty("input_ids").EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToList();
        var types = doc.RootElement.GetProperty("token_type_ids").EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToList();
        var starts = new int[ids.Count + 1];
        for (int i = 0; i < ids.Count; i++) starts[i + 1] = starts[i] + ids[i].Length;
        return new TokenBatch(ids.SelectMany(x => x).ToArray(), types.SelectMany(x => x).ToArray(), starts);
    }

    [Theory]
    [InlineData("bert-1label")]
    [InlineData("bert-2labels")]
    public void Exported_logits_equal_the_managed_cross_encoder_on_unseen_texts(string name)
    {
        string folder = ExportedCopy(name);
        var managed = CrossEncoder.Load(folder);
        using var onnx = OnnxCrossEncoder.Load(folder, Options());
        Assert.Equal(managed.Labels, onnx.Labels);
        Assert.Equal(managed.Activation, onnx.Activation);
        Assert.Equal(managed.MaxLength, onnx.MaxLength);
        var pairs = HiddenStylePairs(folder, 30, seed: 7);
        Assert.Contains(pairs, p => managed.Tokenize(p.Item1, p.Item2, int.MaxValue).Length > managed.MaxLength); // some are truncated
        // Batches of 4 pairs of different lengths: the graph sees padding, the managed engine packed sequences.
        foreach (int? maxLength in new int?[] { null, 16 })
        {
            var options = new CrossEncoderOptions { BatchSize = 4, MaxLength = maxLength };
            var expected = managed.PredictLogits(pairs, options).SelectMany(x => x).ToArray();
            var actual = onnx.PredictLogits(pairs, options).SelectMany(x => x).ToArray();
            Reference.Close(expected, actual, 1e-4f);
            Assert.True(expected.Select(Math.Abs).Max() > 0.05f, "logits are not trivially zero");
        }
        Reference.Close(managed.Predict(pairs), onnx.Predict(pairs), 1e-4f);
        var documents = pairs.Select(p => p.Item2).ToArray();
        var a = managed.Rank(pairs[3].Item1, documents, topK: 10);
        var b = onnx.Rank(pairs[3].Item1, documents, topK: 10);
        Assert.Equal(10, b.Count);
        Reference.Close(a.Select(h => h.Score).ToArray(), b.Select(h => h.Score).ToArray(), 1e-4f);
    }

    [Theory]
    [InlineData("bert-1label")]
    [InlineData("bert-2labels")]
    [InlineData("roberta-1label")]
    public void Exported_logits_equal_pytorch_on_the_fixture_ids(string name)
    {
        using var onnx = OnnxCrossEncoder.Load(ExportedCopy(name), Options());
        var expected = TestSafeTensors.Read(Path.Combine(Fixture(name), "expected.safetensors"))["logits"].Value;
        Reference.Close(expected, onnx.Logits(FixtureBatch(name)), 1e-4f);
        // The same through the opset-14 graph (LayerNorm as primitive ops).
        string folder14 = Path.Combine(_dir, name + "-opset14");
        Directory.CreateDirectory(folder14);
        foreach (var f in Directory.GetFiles(Fixture(name))) File.Copy(f, Path.Combine(folder14, Path.GetFileName(f)));
        OnnxExporter.Export(folder14, Path.Combine(folder14, "model.onnx"), new OnnxExportOptions { Opset = 14 });
        using var onnx14 = OnnxCrossEncoder.Load(folder14, Options());
        Reference.Close(expected, onnx14.Logits(FixtureBatch(name)), 1e-4f);
    }

    /// <summary>
    /// A cross-encoder exported by torch.onnx.export with optimum's names (tools/fixtures/make_cross_encoder_onnx_fixture.py):
    /// OnnxCrossEncoder reads it with the folder's tokenizer and config, and scores like the managed engine and PyTorch.
    /// </summary>
    [Fact]
    public void A_torch_export_with_a_logits_output_scores_like_the_managed_cross_encoder()
    {
        const string name = "bert-2labels";
        string folder = Path.Combine(_dir, "torch-export");
        Directory.CreateDirectory(Path.Combine(folder, "onnx"));
        foreach (var f in Directory.GetFiles(Fixture(name))) File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        File.Copy(OrtTestEnvironment.Fixture("cross-encoder-torch", "model.onnx"), Path.Combine(folder, "onnx", "model.onnx"));
        var managed = CrossEncoder.Load(folder);
        using var onnx = OnnxCrossEncoder.Load(folder, Options());
        Assert.Equal(["batch_size", "sequence_length"], onnx.Session.Inputs[0].SymbolicShape);
        Assert.Equal(2, onnx.NumLabels);
        var expected = TestSafeTensors.Read(Path.Combine(Fixture(name), "expected.safetensors"))["logits"].Value;
        Reference.Close(expected, onnx.Logits(FixtureBatch(name)), 1e-4f);
        var pairs = HiddenStylePairs(folder, 24, seed: 3);
        var options = new CrossEncoderOptions { BatchSize = 5 };
        Reference.Close(managed.PredictLogits(pairs, options).SelectMany(x => x).ToArray(), onnx.PredictLogits(pairs, options).SelectMany(x => x).ToArray(), 1e-4f);
    }

    [Fact]
    public void Int8_export_ranks_like_the_float_model()
    {
        string name = "bert-1label";
        var expected = TestSafeTensors.Read(Path.Combine(Fixture(name), "expected.safetensors"))["logits"].Value;
        using var onnx = OnnxCrossEncoder.Load(ExportedCopy(name, new OnnxExportOptions { Quantize = OnnxQuantization.Int8, ReduceRange = OrtTestEnvironment.Int8ReduceRange }), Options());
        var actual = onnx.Logits(FixtureBatch(name));
        Reference.Close(expected, actual, 0.1f);
    }

    [Fact]
    public async Task The_exported_file_passes_the_onnx_checker()
    {
        const string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), $"{python} with the onnx package (Debian python3-onnx) is needed for this check");
        string model = Path.Combine(ExportedCopy("bert-2labels"), "onnx", "model.onnx");
        const string script = """
            import json, sys, onnx
            m = onnx.load(sys.argv[1])
            onnx.checker.check_model(m, full_check=True)
            dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
            print(json.dumps({"inputs": {i.name: dims(i) for i in m.graph.input}, "outputs": {o.name: dims(o) for o in m.graph.output},
                              "metadata": {p.key: p.value for p in m.metadata_props}}))
            """;
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c"); psi.ArgumentList.Add(script); psi.ArgumentList.Add(model);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await p.WaitForExitAsync(timeout.Token);
        Assert.True(p.ExitCode == 0, await stderr);
        using var json = JsonDocument.Parse(await stdout);
        var inputs = json.RootElement.GetProperty("inputs");
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], inputs.EnumerateObject().Select(i => i.Name));
        Assert.Equal("""["batch","sequence"]""", inputs.GetProperty("input_ids").GetRawText().Replace(" ", ""));
        Assert.Equal("""{"logits":["batch",2]}""", json.RootElement.GetProperty("outputs").GetRawText().Replace(" ", ""));
        Assert.Equal("2", json.RootElement.GetProperty("metadata").GetProperty("num_labels").GetString());
    }

    [Fact]
    public void An_embedding_export_is_refused_with_the_missing_output_named()
    {
        string folder = Path.Combine(_dir, "embedding");
        Directory.CreateDirectory(folder);
        foreach (var f in Directory.GetFiles(Fixture("bert-1label"))) File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        var model = CrossEncoder.Load(folder);
        OnnxExporter.ExportBert(BertExportConfig.From(model.Backbone.Config), model.Backbone.Parameters.ToDictionary(p => p.Name), Path.Combine(folder, "model.onnx"));
        var e = Assert.Throws<ModelFormatException>(() => OnnxCrossEncoder.Load(folder, Options()));
        Assert.Contains("'logits'", e.Message);
        Assert.Contains("sentence_embedding", e.Message);
    }

    [Fact]
    public void Pooling_options_are_refused_for_a_cross_encoder()
    {
        var model = CrossEncoder.Load(Fixture("bert-1label"));
        var e = Assert.Throws<ConfigurationException>(() => OnnxExporter.Export(model, Path.Combine(_dir, "x.onnx"), new OnnxExportOptions { IncludePooling = false }));
        Assert.Contains("logits", e.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "x.onnx")));
    }
}
