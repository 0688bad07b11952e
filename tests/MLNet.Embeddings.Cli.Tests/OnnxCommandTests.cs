using System.Text.Json;

namespace MLNet.Embeddings.Cli.Tests;

[Collection("Console")]
public sealed class OnnxCommandTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-cli-onnx-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }

    static string TinyBert()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln")))
                return Path.Combine(d.FullName, "tests", "MLNet.Embeddings.OnnxRuntime.Tests", "Fixtures", "onnx", "tiny-bert");
        throw new InvalidOperationException("repository root not found");
    }

    static (int Code, string Out, string Err) Run(params string[] args) => ConsoleRun.Cli(args);

    [Fact]
    public void Export_writes_onnx_and_reports_json()
    {
        var output = Path.Combine(_dir, "model.onnx");
        var (code, stdout, stderr) = Run("export", "--model", TinyBert(), "--output", output, "--no-pooling", "--opset", "14");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(Path.GetFullPath(output), json.RootElement.GetProperty("model").GetString());
        Assert.Equal("last_hidden_state", Assert.Single(json.RootElement.GetProperty("outputs").EnumerateArray()).GetString());
        Assert.Equal(32, json.RootElement.GetProperty("dimensions").GetInt32());
        Assert.True(new FileInfo(output).Length > 300_000); // the weights are in the file
        Assert.Contains("exporting", stderr);

        var int8 = Path.Combine(_dir, "int8.onnx");
        (code, stdout, stderr) = Run("export", "--model", TinyBert(), "--output", int8, "--quantize", "int8");
        Assert.True(code == 0, stderr);
        Assert.Equal(["sentence_embedding", "token_embeddings"], JsonDocument.Parse(stdout).RootElement.GetProperty("outputs").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Export_rejects_bad_options_with_a_message()
    {
        var (code, _, stderr) = Run("export", "--model", TinyBert(), "--output", Path.Combine(_dir, "x.onnx"), "--quantize", "int4");
        Assert.NotEqual(0, code);
        Assert.Contains("--quantize", stderr);
        (code, _, stderr) = Run("export", "--model", Path.Combine(_dir, "missing"), "--output", Path.Combine(_dir, "x.onnx"));
        Assert.NotEqual(0, code);
        Assert.Contains("config.json", stderr);
    }

    [Fact]
    public void Export_and_info_accept_a_word_vector_file()
    {
        Directory.CreateDirectory(_dir);
        var vectors = Path.Combine(_dir, "words.vec");
        File.WriteAllText(vectors, "3 4\nthe 0.1 0.2 0.3 0.4\ncat 1 0 -1 0\nsat 0.5 0.5 0.5 -0.5\n");
        var output = Path.Combine(_dir, "words.onnx");
        var (code, stdout, stderr) = Run("export", "--model", vectors, "--output", output);
        Assert.True(code == 0, stderr);
        using (var json = JsonDocument.Parse(stdout)) Assert.Equal(4, json.RootElement.GetProperty("dimensions").GetInt32());
        Assert.True(new FileInfo(output).Length > 0);

        (code, stdout, stderr) = Run("info", "--model", vectors);
        Assert.True(code == 0, stderr);
        using var info = JsonDocument.Parse(stdout);
        var model = info.RootElement.GetProperty("model");
        Assert.Equal("static", model.GetProperty("backbone").GetString());
        Assert.Equal(3, model.GetProperty("vocab_size").GetInt32());
        Assert.Equal(4, model.GetProperty("dimensions").GetInt32());
        Assert.Equal("mean", model.GetProperty("pooling").GetString());
    }

    [Fact]
    public void Info_reports_runtime_and_model()
    {
        var (code, stdout, stderr) = Run("info", "--model", TinyBert());
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.StartsWith(".NET", root.GetProperty("dotnet").GetString());
        var ort = root.GetProperty("onnxruntime");
        Assert.Equal("1.32.0", ort.GetProperty("version").GetString()); // the packaged runtime, no setting needed
        Assert.Equal("Microsoft.ML.OnnxRuntime", ort.GetProperty("package").GetString());
        Assert.Contains("CPUExecutionProvider", ort.GetProperty("providers").EnumerateArray().Select(e => e.GetString()));
        var model = root.GetProperty("model");
        Assert.Equal("bert", model.GetProperty("backbone").GetString());
        Assert.Equal(32, model.GetProperty("dimensions").GetInt32());
        Assert.Equal("mean", model.GetProperty("pooling").GetString());
        Assert.True(model.GetProperty("normalize").GetBoolean());
        Assert.Contains("model.onnx", model.GetProperty("onnx_files").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Embed_with_the_onnx_backend_needs_no_setting_and_matches_managed()
    {
        // A fresh clone: no setting points at ONNX Runtime (nothing reads one); the package's native library is used.
        Directory.CreateDirectory(_dir);
        var input = Path.Combine(_dir, "texts.txt");
        File.WriteAllText(input, "the cat sat on the mat\nhello world\n");
        var (code, onnx, stderr) = Run("embed", "--model", TinyBert(), "--input", input, "--backend", "onnx", "--threads", "1");
        Assert.True(code == 0, stderr);
        (code, var managed, stderr) = Run("embed", "--model", TinyBert(), "--input", input);
        Assert.True(code == 0, stderr);
        var a = onnx.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var b = managed.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, a.Length);
        for (int i = 0; i < a.Length; i++)
        {
            var x = JsonDocument.Parse(a[i]).RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            var y = JsonDocument.Parse(b[i]).RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.Equal(32, x.Length);
            for (int k = 0; k < x.Length; k++) Assert.Equal(y[k], x[k], 1e-4f);
        }
    }
}
