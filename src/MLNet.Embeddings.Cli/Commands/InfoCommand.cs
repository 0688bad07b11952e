using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Embeddings.OnnxRuntime;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary><c>mlnet-embed info</c>: .NET and ONNX Runtime versions, where the native library was found, providers, and a model's shape.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "Model folder, .onnx file or word-vector file (.txt/.vec/.bin) to describe." };
        var library = new Option<string?>("--onnxruntime") { Description = $"ONNX Runtime library file or folder (else {OrtRuntime.EnvironmentVariable}, runtimes/<rid>/native, system)." };
        var command = new Command("info", "Show .NET / ONNX Runtime versions, execution providers and a model's backbone, dimensions, pooling and prompts.");
        command.Options.Add(model);
        command.Options.Add(library);
        command.SetAction(parse =>
        {
            var info = new JsonObject
            {
                ["mlnet_embeddings"] = typeof(SentenceEncoder).Assembly.GetName().Version?.ToString(),
                ["dotnet"] = RuntimeInformation.FrameworkDescription,
                ["os"] = RuntimeInformation.OSDescription,
                ["architecture"] = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
            };
            var libraryPath = parse.GetValue(library);
            OrtRuntime? runtime = null;
            if (OrtRuntime.TryLoad(libraryPath, out runtime, out var error))
                info["onnxruntime"] = new JsonObject
                {
                    ["version"] = runtime!.Version,
                    ["library"] = runtime.LibraryPath,
                    ["found_by"] = runtime.FoundBy,
                    ["api_version"] = runtime.ApiVersion,
                    ["providers"] = new JsonArray(runtime.AvailableProviders.Select(p => (JsonNode?)p).ToArray()),
                };
            else
                info["onnxruntime"] = new JsonObject { ["found"] = false, ["error"] = error };
            var path = parse.GetValue(model);
            if (path is not null) info["model"] = ModelInfo.Describe(path, runtime is null ? null : libraryPath ?? runtime.LibraryPath);
            Console.WriteLine(info.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return command;
    }
}
