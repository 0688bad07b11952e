using System.Collections.Concurrent;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Backbones.Static;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings;

public sealed partial class SentenceEncoder
{
    static readonly ConcurrentDictionary<string, Func<string, IBackbone>> BackboneLoaders = new(StringComparer.OrdinalIgnoreCase)
    {
        ["bert"] = folder => BertBackbone.Load(folder),
        ["roberta"] = folder => BertBackbone.Load(folder),
        ["xlm-roberta"] = folder => BertBackbone.Load(folder),
    };

    static readonly string[] WordVectorExtensions = { ".txt", ".vec", ".bin" };

    /// <summary>
    /// Registers how to load a backbone for a config.json <c>model_type</c> (e.g. another architecture).
    /// The loader receives the folder holding config.json and the weights. Replaces an earlier registration.
    /// </summary>
    public static void RegisterBackbone(string modelType, Func<string, IBackbone> loader)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelType);
        ArgumentNullException.ThrowIfNull(loader);
        BackboneLoaders[modelType] = loader;
    }

    /// <summary>
    /// Loads a model: a sentence-transformers folder (modules.json: Transformer → Pooling → optional Normalize),
    /// a plain Hugging Face folder (mean pooling, no normalisation), a static-embedding folder
    /// (config.json <c>"model_type": "static"</c>), or a word-vector file (.txt/.vec/.bin).
    /// Weights must be safetensors; pickled PyTorch checkpoints are refused, never executed.
    /// </summary>
    /// <exception cref="ModelFormatException">The path is missing, a file is malformed, the model type or a module is not supported, or only pickled weights exist.</exception>
    public static SentenceEncoder Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            if (WordVectorExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase))
                return StaticEmbeddingBackbone.LoadWordVectors(path);
            throw new ModelFormatException(path, "expected a model folder or a word-vector file (.txt, .vec or .bin).");
        }
        if (!Directory.Exists(path)) throw new ModelFormatException(path, "no such model folder or file.");

        var layout = ModelFolder.Read(path);
        var config = layout.Config;
        if (string.Equals(layout.ModelType, "static", StringComparison.OrdinalIgnoreCase))
        {
            var loaded = StaticEmbeddingBackbone.LoadFolder(layout.BackboneFolder);
            if (!layout.IsSentenceTransformers) return loaded;
            if (!layout.MaxSeqLengthGiven) config.MaxSeqLength = loaded.Config.MaxSeqLength;
            return new SentenceEncoder(loaded.Tokenizer, loaded.Backbone, config);
        }

        string configPath = Path.Combine(layout.BackboneFolder, ModelFolder.ConfigFile);
        if (layout.ModelType is null)
            throw new ModelFormatException(configPath, "file not found; a Hugging Face model folder needs config.json with a model_type.");
        if (!BackboneLoaders.TryGetValue(layout.ModelType, out var loader))
            throw new ModelFormatException(configPath, $"field 'model_type': '{layout.ModelType}' is not supported; supported: {string.Join(", ", BackboneLoaders.Keys.Order())}, static.");
        RequireSafeTensors(layout.BackboneFolder);

        var backbone = loader(layout.BackboneFolder);
        var tokenizer = TokenizerLoader.Load(layout.BackboneFolder);
        // sentence-transformers without max_seq_length: the tokenizer's model_max_length, capped by the positions.
        if (!layout.MaxSeqLengthGiven)
            config.MaxSeqLength = Math.Min(TokenizerLoader.ReadMaxLength(layout.BackboneFolder) ?? 512, backbone.MaxPositions);
        return new SentenceEncoder(tokenizer, backbone, config);
    }

    /// <summary>Refuses folders whose weights exist only as pickled checkpoints (loading those would execute code).</summary>
    static void RequireSafeTensors(string folder)
    {
        if (Directory.EnumerateFiles(folder, "*.safetensors").Any()) return;
        string[] pickled = { "pytorch_model.bin", "pytorch_model.bin.index.json", "model.pt", "model.pth", "model.ckpt" };
        foreach (var name in pickled)
            if (File.Exists(Path.Combine(folder, name)))
                throw new ModelFormatException(Path.Combine(folder, name),
                    "pickled PyTorch weights are never loaded (they can execute code); safetensors is required. Convert with: " +
                    "python -c \"import torch; from safetensors.torch import save_file; save_file(torch.load('pytorch_model.bin'), 'model.safetensors')\"");
        throw new ModelFormatException(Path.Combine(folder, "model.safetensors"), "file not found; the weights must be in safetensors format.");
    }
}
