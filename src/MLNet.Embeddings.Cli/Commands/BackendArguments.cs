using System.CommandLine;
using MLNet.Embeddings.OnnxRuntime;
using MLNet.Embeddings.OnnxRuntime.Backbones;
using MLNet.Embeddings.TorchSharp;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>--backend managed|onnx|torchsharp</c>, <c>--onnx FILE</c>, <c>--device cpu|cuda[:N]</c>, <c>--threads N</c> for commands that load an encoder.
/// With <c>--backend onnx</c> a model folder's <c>onnx/model.onnx</c> is used unless <c>--onnx</c> names another file
/// (a name inside onnx/, or a path).
/// </summary>
internal sealed class BackendArguments
{
    public required Option<string> Backend { get; init; }
    public required Option<string?> OnnxFile { get; init; }
    public required Option<string> Device { get; init; }
    public required Option<int> Threads { get; init; }
    public required Option<bool> CpuFallback { get; init; }

    public static BackendArguments Create() => new()
    {
        Backend = new Option<string>("--backend") { Description = "managed (our C# kernels), onnx (ONNX Runtime) or torchsharp (libtorch).", DefaultValueFactory = _ => "managed" },
        OnnxFile = new Option<string?>("--onnx") { Description = "With --backend onnx: the ONNX file (a name in the model's onnx/ folder, or a path); default onnx/model.onnx." },
        Device = new Option<string>("--device") { Description = "cpu, or with --backend onnx|torchsharp cuda (onnx: a GPU build of ONNX Runtime; torchsharp: cuda or cuda:N with a CUDA libtorch).", DefaultValueFactory = _ => "cpu" },
        CpuFallback = new Option<bool>("--cpu-fallback") { Description = "With --device cuda: run on the CPU (with a warning) when CUDA cannot start, instead of failing." },
        Threads = new Option<int>("--threads") { Description = "With --backend onnx: ORT intra-op threads (0 = ORT's default)." },
    };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Backend, OnnxFile, Device, CpuFallback, Threads }) command.Options.Add(o);
    }

    /// <summary>Loads the encoder for <paramref name="model"/> with the chosen backend.</summary>
    public SentenceEncoder Load(ParseResult parse, string model)
    {
        string backend = (parse.GetValue(Backend) ?? "managed").ToLowerInvariant();
        string device = (parse.GetValue(Device) ?? "cpu").ToLowerInvariant();
        if (backend == "torchsharp")
        {
            if (parse.GetValue(OnnxFile) is not null) throw new ConfigurationException("--onnx", "only applies with --backend onnx.");
            return TorchSharpBackend.Load(ModelArgument.Resolve(model, "--model"), device);
        }
        if (device is not ("cpu" or "cuda")) throw new ConfigurationException("--device", $"expected cpu or cuda, found '{device}'.");
        bool fallback = parse.GetValue(CpuFallback);
        if (fallback && device != "cuda") throw new ConfigurationException("--cpu-fallback", "only applies with --device cuda.");
        switch (backend)
        {
            case "managed":
                if (device == "cuda") throw new ConfigurationException("--device", "cuda needs --backend onnx or torchsharp (the managed backend runs on the CPU).");
                if (parse.GetValue(OnnxFile) is not null) throw new ConfigurationException("--onnx", "only applies with --backend onnx.");
                return SentenceEncoder.Load(ModelArgument.Resolve(model, "--model"));
            case "onnx":
                var options = new OnnxOptions
                {
                    Device = device == "cuda" ? OrtDevice.Cuda : OrtDevice.Cpu,
                    IntraOpThreads = Math.Max(0, parse.GetValue(Threads)),
                    AllowCpuFallback = fallback,
                };
                var file = parse.GetValue(OnnxFile);
                model = ModelArgument.ResolveName(model, "--model", Models.ModelWeights.Onnx, file is not null && !File.Exists(file) ? file : null);
                SentenceEncoder encoder;
                if (file is null) encoder = OnnxSentenceEncoder.Load(model, options);
                else if (File.Exists(file) && !Directory.Exists(model)) encoder = OnnxSentenceEncoder.Load(file, options);
                else
                {
                    options.ModelFile = File.Exists(file) ? Path.GetFullPath(file) : file;
                    encoder = OnnxSentenceEncoder.Load(model, options);
                }
                if (encoder.Backbone is OnnxBackbone { Session.CpuFallbackReason: { } reason })
                    Console.Error.WriteLine($"warning: running on the CPU (--cpu-fallback): {reason}");
                return encoder;
            default:
                throw new ConfigurationException("--backend", $"expected managed, onnx or torchsharp, found '{backend}'.");
        }
    }
}
