using System.Text.Json.Nodes;
using MLNet.Embeddings.Backbones.Static;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.OnnxRuntime;
using MLNet.Embeddings.OnnxRuntime.Models;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>Describes a model folder or ONNX file for <c>info</c> without loading the weights (a word-vector file is loaded).</summary>
internal static class ModelInfo
{
    public static JsonObject Describe(string path, bool withOnnxRuntime)
    {
        var result = new JsonObject { ["path"] = Path.GetFullPath(path) };
        string? onnxFile = File.Exists(path) && path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? path : null;
        if (File.Exists(path) && onnxFile is null) return DescribeWordVectors(path, result);
        string folder = onnxFile is null ? path : OnnxSentenceEncoder.Resolve(onnxFile).Folder;
        if (!Directory.Exists(folder)) throw new ModelFormatException(path, "no such model folder or .onnx file.");
        var hf = FolderSettings.ReadJson(Path.Combine(folder, "config.json"));
        if (hf is not null)
        {
            result["backbone"] = hf["model_type"]?.DeepClone();
            foreach (var key in new[] { "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "max_position_embeddings", "vocab_size" })
                if (hf[key] is { } v) result[key] = v.DeepClone();
        }
        var settings = FolderSettings.ReadEncoderConfig(folder);
        result["pooling"] = settings.Pooling.ToString().ToLowerInvariant();
        result["normalize"] = settings.Normalize;
        result["max_seq_length"] = settings.MaxSeqLength;
        result["similarity"] = settings.Similarity.ToString().ToLowerInvariant();
        var prompts = new JsonObject();
        foreach (var (k, v) in settings.Prompts) prompts[k] = v;
        result["prompts"] = prompts;
        result["default_prompt_name"] = settings.DefaultPromptName;
        var onnxDir = Path.Combine(folder, "onnx");
        var files = Directory.Exists(onnxDir) ? Directory.GetFiles(onnxDir, "*.onnx").Select(Path.GetFileName).Order().ToArray() : [];
        result["onnx_files"] = new JsonArray(files.Select(f => (JsonNode?)f).ToArray());
        onnxFile ??= files.Contains("model.onnx") ? Path.Combine(onnxDir, "model.onnx") : null;
        if (onnxFile is not null && withOnnxRuntime)
        {
            using var session = OrtSession.Open(onnxFile, new OrtSessionOptions { GraphOptimization = OrtGraphOptimization.None });
            result["onnx"] = new JsonObject
            {
                ["file"] = Path.GetFullPath(onnxFile),
                ["inputs"] = new JsonArray(session.Inputs.Select(i => (JsonNode?)i.ToString()).ToArray()),
                ["outputs"] = new JsonArray(session.Outputs.Select(o => (JsonNode?)o.ToString()).ToArray()),
            };
            var dims = session.Outputs.FirstOrDefault(o => o.Name == "sentence_embedding")?.Shape;
            if (dims is { Length: 2 } && dims[1] > 0) result["dimensions"] = dims[1];
        }
        if (result["dimensions"] is null && hf?["hidden_size"] is { } h) result["dimensions"] = h.DeepClone();
        // A fine-tuned model's card (model_card.json, rendered into README.md): how it was made.
        if (ModelCard.Read(folder) is { } card) result["model_card"] = JsonNode.Parse(card.ToJson());
        return result;
    }

    /// <summary>A word-vector file (.txt/.vec/.bin) has no folder to read settings from: it is loaded (vectors only, no transformer).</summary>
    static JsonObject DescribeWordVectors(string path, JsonObject result)
    {
        var encoder = SentenceEncoder.Load(path);
        var backbone = (StaticEmbeddingBackbone)encoder.Backbone;
        result["backbone"] = backbone.ModelType;
        result["vocab_size"] = backbone.VocabSize;
        result["pooling"] = encoder.Config.Pooling.ToString().ToLowerInvariant();
        result["normalize"] = encoder.Config.Normalize;
        result["max_seq_length"] = encoder.Config.MaxSeqLength;
        result["similarity"] = encoder.Config.Similarity.ToString().ToLowerInvariant();
        result["prompts"] = new JsonObject();
        result["default_prompt_name"] = null;
        result["onnx_files"] = new JsonArray();
        result["dimensions"] = encoder.Dimensions;
        return result;
    }
}
