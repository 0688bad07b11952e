using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Embeddings.OnnxRuntime;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary><c>mlnet-embed info</c>: .NET and ONNX Runtime versions, the ONNX Runtime package and its providers, and a model's shape.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "Model folder, .onnx file or word-vector file (.txt/.vec/.bin) to describe." };
        var command = new Command("info", "Show .NET / ONNX Runtime versions, execution providers and a model's backbone, dimensions, pooling and prompts.");
        command.Options.Add(model);
        command.SetAction(parse =>
        {
            var info = new JsonObject
            {
                ["mlnet_embeddings"] = typeof(SentenceEncoder).Assembly.GetName().Version?.ToString(),
                ["dotnet"] = RuntimeInformation.FrameworkDescription,
                ["os"] = RuntimeInformation.OSDescription,
                ["architecture"] = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
            };
            bool ortLoaded = false;
            try
            {
                // The native library of the Microsoft.ML.OnnxRuntime(.Gpu) package the CLI was built with.
                info["onnxruntime"] = new JsonObject
                {
                    ["version"] = OrtSession.Version,
                    ["package"] = OrtSession.AvailableProviders.Contains("CUDAExecutionProvider") ? "Microsoft.ML.OnnxRuntime.Gpu" : "Microsoft.ML.OnnxRuntime",
                    ["providers"] = new JsonArray(OrtSession.AvailableProviders.Select(p => (JsonNode?)p).ToArray()),
                };
                ortLoaded = true;
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
            {
                info["onnxruntime"] = new JsonObject { ["found"] = false, ["error"] = e.Message };
            }
            var path = parse.GetValue(model);
            if (path is not null) info["model"] = ModelInfo.Describe(ModelArgument.ResolveName(path, "--model"), ortLoaded);
            Console.WriteLine(info.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return command;
    }
}
