using System.Text.Json;
using MLNet.Embeddings.OnnxRuntime.Import;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary><c>mlnet-embed convert</c> on the real all-MiniLM-L6-v2 files from the NuGet package, and its option errors.</summary>
[Collection("Console")]
public sealed class ConvertCommandTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-convert-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }

    static (string Onnx, string Vocab) Files() => MiniLmPackage.TryExtract()
        ?? throw new InvalidOperationException($"{MiniLmPackage.PackageId} is not in the NuGet cache; dotnet restore this test project.");

    [Fact]
    public void Converts_the_real_model_into_a_folder_that_encodes_like_the_library_import()
    {
        var (onnx, vocab) = Files();
        string folder = Path.Combine(_dir, "minilm");
        var (code, output, error) = ConsoleRun.Cli("convert", "--onnx", onnx, "--vocab", vocab, "--output", folder, "--max-length", "256");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var r = json.RootElement;
        Assert.Equal(384, r.GetProperty("hidden_size").GetInt32());
        Assert.Equal(6, r.GetProperty("num_hidden_layers").GetInt32());
        Assert.Equal(12, r.GetProperty("num_attention_heads").GetInt32());
        Assert.Equal(1536, r.GetProperty("intermediate_size").GetInt32());
        Assert.Equal("gelu", r.GetProperty("hidden_act").GetString());
        Assert.Equal(36, r.GetProperty("renamed_weights").GetInt32());
        foreach (var f in new[] { "config.json", "model.safetensors", "vocab.txt", "tokenizer.json", "modules.json", "1_Pooling/config.json", "sentence_bert_config.json" })
            Assert.True(File.Exists(Path.Combine(folder, f)), f);
        var converted = SentenceEncoder.Load(folder);
        var reference = SentenceEncoder.Load(MiniLmPackage.TryGetModelFolder()!);
        string[] texts = ["Revenue grew 12% on cloud demand.", "Heavy rain hit the coast."];
        var a = converted.Encode(texts); var b = reference.Encode(texts);
        for (int i = 0; i < texts.Length; i++) Assert.True(a[i].AsSpan().SequenceEqual(b[i]));
        Assert.InRange(converted.Similarity(a[0], a[1]), -0.2f, 0.3f); // unrelated sentences: a real model keeps them apart
    }

    [Fact]
    public void Bad_options_name_the_option()
    {
        var (onnx, vocab) = Files();
        var (code, _, error) = ConsoleRun.Cli("convert", "--onnx", onnx, "--vocab", vocab, "--output", _dir, "--pooling", "median");
        Assert.NotEqual(0, code);
        Assert.Contains("--pooling", error);
        (code, _, error) = ConsoleRun.Cli("convert", "--onnx", Path.Combine(_dir, "missing.onnx"), "--vocab", vocab, "--output", _dir);
        Assert.NotEqual(0, code);
        Assert.Contains("--onnx", error);
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_refused_naming_it()
    {
        var (_, vocab) = Files();
        Directory.CreateDirectory(_dir);
        string bogus = Path.Combine(_dir, "vocab-as-model.onnx");
        File.Copy(vocab, bogus);
        var (code, _, error) = ConsoleRun.Cli("convert", "--onnx", bogus, "--vocab", vocab, "--output", Path.Combine(_dir, "out"));
        Assert.NotEqual(0, code);
        Assert.Contains("vocab-as-model.onnx", error);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }
}
