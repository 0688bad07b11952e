using System.Text.Json;
using System.Text.RegularExpressions;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Hub;

/// <summary>
/// Which files of a Hub repo a backend needs: configs, tokenizer files, the sentence-transformers module folders
/// named in modules.json, and one set of weights (model.safetensors or its shards, or the chosen ONNX file). Nothing
/// pickled is ever fetched.
/// </summary>
internal static partial class HubFiles
{
    static readonly string[] TopFiles =
    {
        "config.json", "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json",
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
        "vocab.txt", "vocab.json", "merges.txt", "sentencepiece.bpe.model", "spiece.model", "tokenizer.model",
    };

    static readonly string[] ModuleExtensions = { ".json", ".txt", ".safetensors", ".model" };
    static readonly string[] Pickled = { "pytorch_model.bin", "pytorch_model.bin.index.json", "model.pt", "model.pth", "model.ckpt" };

    [GeneratedRegex(@"^model-\d+-of-\d+\.safetensors$")]
    private static partial Regex Shard();

    /// <summary>The module folders of a modules.json (empty path = the top folder).</summary>
    public static IReadOnlyList<string> ModuleFolders(string modulesJson) => Modules(modulesJson).Select(m => m.Path).ToList();

    /// <summary>The modules with a folder: path and type (a Normalize module has no files, so git keeps no folder for it).</summary>
    static IEnumerable<(string Path, string Type)> Modules(string modulesJson)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(modulesJson));
        return doc.RootElement.EnumerateArray()
            .Select(e => (e.TryGetProperty("path", out var p) ? p.GetString() ?? "" : "", e.TryGetProperty("type", out var t) ? t.GetString() ?? "" : ""))
            .Where(m => m.Item1.Length > 0).ToList();
    }

    /// <summary>The files to fetch from <paramref name="files"/> (the repo's listing).</summary>
    /// <exception cref="ModelFormatException">No usable weights: only pickled ones, or not the chosen ONNX file.</exception>
    public static List<string> Select(string name, IReadOnlyList<string> files, IReadOnlyList<string> moduleFolders, ModelResolveOptions options)
    {
        var set = new HashSet<string>(files, StringComparer.Ordinal);
        var chosen = TopFiles.Where(set.Contains).ToList();
        foreach (var folder in moduleFolders)
        {
            var inFolder = files.Where(f => f.StartsWith(folder + "/", StringComparison.Ordinal) && f.IndexOf('/', folder.Length + 1) < 0).ToList();
            var wanted = inFolder.Where(f => ModuleExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)).ToList();
            if (inFolder.Any(f => Pickled.Contains(Path.GetFileName(f))) && !wanted.Any(f => f.EndsWith(".safetensors", StringComparison.Ordinal)))
                throw PickledOnly(name, folder + "/" + Path.GetFileName(inFolder.First(f => Pickled.Contains(Path.GetFileName(f)))), files);
            chosen.AddRange(wanted);
        }
        if (!set.Contains("config.json")) // a static-embedding model keeps its weights in a module folder
            return moduleFolders.Count > 0 ? chosen.Distinct().ToList()
                : throw new ModelFormatException(name, "the repository has neither config.json nor modules.json; it is not a model this library loads.");

        if (options.Weights == ModelWeights.Onnx)
        {
            string[] tried = { "onnx/" + options.OnnxFile, options.OnnxFile };
            string onnx = tried.FirstOrDefault(set.Contains)
                ?? throw new ModelFormatException(name, $"no ONNX file {string.Join(" or ", tried)}; the repository has: "
                    + (files.Where(f => f.EndsWith(".onnx", StringComparison.Ordinal)).ToList() is { Count: > 0 } o ? string.Join(", ", o) + " (choose one with --onnx / OnnxOptions.ModelFile)" : "no ONNX files (use the safetensors weights with the managed backend)") + ".");
            chosen.Add(onnx);
            if (set.Contains(onnx + "_data")) chosen.Add(onnx + "_data");
            if (set.Contains(onnx + ".data")) chosen.Add(onnx + ".data");
        }
        else if (set.Contains("model.safetensors")) chosen.Add("model.safetensors");
        else if (set.Contains("model.safetensors.index.json"))
        {
            chosen.Add("model.safetensors.index.json");
            chosen.AddRange(files.Where(f => Shard().IsMatch(f)));
        }
        else if (files.FirstOrDefault(f => Pickled.Contains(f)) is { } pickled) throw PickledOnly(name, pickled, files);
        else throw new ModelFormatException(name, "the repository has no model.safetensors; nothing this library can load.");
        return chosen.Distinct().ToList();
    }

    /// <summary>Whether a cached snapshot folder holds what <see cref="Select"/> would fetch (configs, modules, weights).</summary>
    public static bool Complete(string snapshot, ModelResolveOptions options)
    {
        if (!Directory.Exists(snapshot)) return false;
        string modules = Path.Combine(snapshot, "modules.json");
        bool hasConfig = File.Exists(Path.Combine(snapshot, "config.json"));
        if (!hasConfig && !File.Exists(modules)) return false;
        try
        {
            if (File.Exists(modules) && Modules(modules).Any(m => !m.Type.EndsWith("Normalize", StringComparison.Ordinal) && !Directory.Exists(Path.Combine(snapshot, m.Path)))) return false;
        }
        catch (JsonException) { return false; }
        if (!hasConfig) return true;
        if (options.Weights == ModelWeights.Onnx)
            return File.Exists(Path.Combine(snapshot, "onnx", options.OnnxFile)) || File.Exists(Path.Combine(snapshot, options.OnnxFile));
        return File.Exists(Path.Combine(snapshot, "model.safetensors")) || File.Exists(Path.Combine(snapshot, "model.safetensors.index.json"));
    }

    static ModelFormatException PickledOnly(string name, string pickled, IReadOnlyList<string> files)
    {
        var onnx = files.Where(f => f.EndsWith(".onnx", StringComparison.Ordinal)).ToList();
        return new ModelFormatException(name,
            $"the repository has only pickled PyTorch weights ({pickled}), which are never loaded (unpickling can run code). "
            + "Use a revision with model.safetensors (the Hub's safetensors conversion opens a pull request, e.g. ORG/NAME@refs/pr/1)"
            + (onnx.Count > 0 ? $", or its ONNX export with the ONNX Runtime backend (--backend onnx; files: {string.Join(", ", onnx)})." : ", or an ONNX export with the ONNX Runtime backend."));
    }
}
