using MLNet.Embeddings.OnnxRuntime.Backbones;
using MLNet.Embeddings.OnnxRuntime.Models;
using MLNet.Embeddings.Tokenization;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>
/// Loads a Hugging Face / sentence-transformers ONNX export as a <see cref="SentenceEncoder"/>: our tokenizer and
/// prompts in front, ONNX Runtime as the backbone, our pooling behind (or the graph's own pooling when it has a
/// <c>sentence_embedding</c> output). The result has the same Encode / IEmbeddingGenerator API as a managed model.
/// </summary>
public static class OnnxSentenceEncoder
{
    /// <summary>
    /// Loads <paramref name="pathOrFolder"/>: a model folder (uses <c>onnx/&lt;ModelFile&gt;</c>, else <c>&lt;ModelFile&gt;</c>
    /// in the folder) or an explicit <c>.onnx</c> file whose folder (or that folder's parent, for <c>onnx/</c>) holds the tokenizer.
    /// </summary>
    public static SentenceEncoder Load(string pathOrFolder, OnnxOptions? options = null)
    {
        options ??= new OnnxOptions();
        var (folder, model) = Resolve(pathOrFolder, options.ModelFile);
        var tokenizer = TokenizerLoader.Load(folder);
        var config = FolderSettings.ReadEncoderConfig(folder);
        string configPath = Path.Combine(folder, "config.json");
        var hf = FolderSettings.ReadJson(configPath);
        var backbone = OnnxBackbone.Open(model, options,
            JsonFile.Int(configPath, hf, "hidden_size") ?? 0, JsonFile.Int(configPath, hf, "max_position_embeddings") ?? int.MaxValue);
        config.MaxSeqLength = Math.Min(config.MaxSeqLength, backbone.MaxPositions);
        return new SentenceEncoder(tokenizer, backbone, config);
    }

    /// <summary>Finds the model folder (with the tokenizer) and the ONNX file.</summary>
    public static (string Folder, string ModelFile) Resolve(string pathOrFolder, string modelFile = "model.onnx")
    {
        if (File.Exists(pathOrFolder))
        {
            var full = Path.GetFullPath(pathOrFolder);
            var dir = Path.GetDirectoryName(full)!;
            bool hasTokenizer(string d) => File.Exists(Path.Combine(d, "tokenizer.json")) || File.Exists(Path.Combine(d, "vocab.txt"));
            if (!hasTokenizer(dir) && Path.GetFileName(dir) == "onnx" && Directory.GetParent(dir) is { } parent && hasTokenizer(parent.FullName))
                dir = parent.FullName;
            return (dir, full);
        }
        if (!Directory.Exists(pathOrFolder))
            throw new ModelFormatException(pathOrFolder, "no such ONNX file or model folder.");
        if (Path.IsPathRooted(modelFile) && File.Exists(modelFile)) return (pathOrFolder, modelFile);
        string[] tried = [Path.Combine(pathOrFolder, "onnx", modelFile), Path.Combine(pathOrFolder, modelFile)];
        foreach (var p in tried) if (File.Exists(p)) return (pathOrFolder, p);
        var variants = Directory.Exists(Path.Combine(pathOrFolder, "onnx"))
            ? Directory.GetFiles(Path.Combine(pathOrFolder, "onnx"), "*.onnx").Select(Path.GetFileName) : [];
        throw new ModelFormatException(pathOrFolder, $"no ONNX model: tried {string.Join(", ", tried)}."
            + (variants.Any() ? $" Files in onnx/: {string.Join(", ", variants)} (choose one with OnnxOptions.ModelFile / --onnx)." : " Export one with `mlnet-embed export`."));
    }
}
