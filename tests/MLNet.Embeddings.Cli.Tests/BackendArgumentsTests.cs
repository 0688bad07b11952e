using System.CommandLine;
using MLNet.Embeddings.Cli.Commands;
using MLNet.Embeddings.OnnxRuntime;
using MLNet.Embeddings.OnnxRuntime.Backbones;

namespace MLNet.Embeddings.Cli.Tests;

public class BackendArgumentsTests
{
    static string TinyBert()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln")))
                return Path.Combine(d.FullName, "tests", "MLNet.Embeddings.OnnxRuntime.Tests", "Fixtures", "onnx", "tiny-bert");
        throw new InvalidOperationException("repository root not found");
    }

    static SentenceEncoder Load(params string[] args)
    {
        var backend = BackendArguments.Create();
        var command = new Command("t");
        backend.AddTo(command);
        return backend.Load(command.Parse(args), TinyBert());
    }

    [Fact]
    public void Bad_combinations_name_the_option()
    {
        Assert.Equal("--device", Assert.Throws<ConfigurationException>(() => Load("--device", "cuda")).Setting);
        Assert.Equal("--device", Assert.Throws<ConfigurationException>(() => Load("--backend", "onnx", "--device", "tpu")).Setting);
        Assert.Equal("--onnx", Assert.Throws<ConfigurationException>(() => Load("--onnx", "model.onnx")).Setting);
        Assert.Equal("--backend", Assert.Throws<ConfigurationException>(() => Load("--backend", "torch")).Setting);
        Assert.Equal("--cpu-fallback", Assert.Throws<ConfigurationException>(() => Load("--backend", "onnx", "--cpu-fallback")).Setting);
    }

    [Fact]
    public void Cuda_fails_on_the_cpu_package_unless_the_fallback_is_asked_for()
    {
        // The CLI is built with the CPU natives (Microsoft.ML.OnnxRuntime): CUDA must fail loudly and say what to use.
        var ex = Assert.Throws<OrtException>(() => Load("--backend", "onnx", "--device", "cuda"));
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", ex.Message);
        Assert.Contains("-p:OnnxRuntimePackage=Gpu", ex.Message);
        Assert.Contains("--cpu-fallback", ex.Message);

        var encoder = Load("--backend", "onnx", "--device", "cuda", "--cpu-fallback", "--threads", "1");
        var backbone = Assert.IsType<OnnxBackbone>(encoder.Backbone);
        Assert.Contains("CPU-only", backbone.Session.CpuFallbackReason);
        var managed = Load("--backend", "managed");
        var a = encoder.Encode("the cat sat"); var b = managed.Encode("the cat sat");
        for (int k = 0; k < a.Length; k++) Assert.Equal(b[k], a[k], 1e-4f);
    }

    [Fact]
    public void Onnx_backend_uses_the_folder_onnx_file()
    {
        var encoder = Load("--backend", "onnx", "--threads", "1");
        var backbone = Assert.IsType<OnnxBackbone>(encoder.Backbone);
        Assert.EndsWith(Path.Combine("onnx", "model.onnx"), backbone.ModelPath);
        Assert.Equal(32, encoder.Dimensions);
        var missing = Assert.Throws<ModelFormatException>(() => Load("--backend", "onnx", "--onnx", "model_qint8_avx2.onnx"));
        Assert.Contains("model.onnx", missing.Message);
    }
}
