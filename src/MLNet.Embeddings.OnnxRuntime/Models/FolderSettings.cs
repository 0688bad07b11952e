using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Scoring;

namespace MLNet.Embeddings.OnnxRuntime.Models;

/// <summary>
/// Reads what the ONNX side needs from a Hugging Face / sentence-transformers folder: config.json sizes and the
/// sentence-transformers settings (pooling, Normalize module, max_seq_length, prompts, similarity).
/// </summary>
internal static class FolderSettings
{
    public static JsonObject? ReadJson(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonNode.Parse(File.ReadAllText(path)) as JsonObject; }
        catch (JsonException ex) { throw new ModelFormatException(path, $"invalid JSON: {ex.Message}", ex); }
    }

    public static int Int(JsonObject? json, string key, int fallback)
        => json?[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : fallback;

    public static SentenceEncoderConfig ReadEncoderConfig(string folder)
    {
        var config = new SentenceEncoderConfig { ModelId = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))) };
        var hf = ReadJson(Path.Combine(folder, "config.json"));
        config.MaxSeqLength = Math.Min(512, Int(hf, "max_position_embeddings", 512));
        var st = ReadJson(Path.Combine(folder, "sentence_bert_config.json"));
        config.MaxSeqLength = Int(st, "max_seq_length", config.MaxSeqLength);
        if (st?["do_lower_case"] is JsonValue lc && lc.TryGetValue<bool>(out var lower)) config.DoLowerCase = lower;

        if (ReadJson(Path.Combine(folder, "1_Pooling", "config.json")) is { } pooling)
        {
            bool On(string key) => pooling[key] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
            config.Pooling = On("pooling_mode_cls_token") ? PoolingMode.Cls
                : On("pooling_mode_max_tokens") ? PoolingMode.Max
                : On("pooling_mode_mean_sqrt_len_tokens") ? PoolingMode.MeanSqrtLen
                : On("pooling_mode_weightedmean_tokens") ? PoolingMode.WeightedMean
                : On("pooling_mode_lasttoken") ? PoolingMode.LastToken
                : PoolingMode.Mean;
            if (pooling["include_prompt"] is JsonValue ip && ip.TryGetValue<bool>(out var include)) config.PoolingIncludePrompt = include;
        }
        var modulesPath = Path.Combine(folder, "modules.json");
        if (File.Exists(modulesPath))
        {
            try
            {
                config.Normalize = JsonNode.Parse(File.ReadAllText(modulesPath)) is JsonArray modules
                    && modules.Any(m => (m?["type"]?.GetValue<string>() ?? "").EndsWith("Normalize", StringComparison.Ordinal));
            }
            catch (JsonException ex) { throw new ModelFormatException(modulesPath, $"invalid JSON: {ex.Message}", ex); }
        }
        if (ReadJson(Path.Combine(folder, "config_sentence_transformers.json")) is { } cst)
        {
            if (cst["prompts"] is JsonObject prompts)
                foreach (var (k, v) in prompts) if (v is JsonValue s && s.TryGetValue<string>(out var text)) config.Prompts[k] = text;
            config.DefaultPromptName = cst["default_prompt_name"] is JsonValue d && d.TryGetValue<string>(out var name) ? name : null;
            if (cst["similarity_fn_name"] is JsonValue sim && sim.TryGetValue<string>(out var fn))
                config.Similarity = fn switch
                {
                    "dot" or "dot_product" => SimilarityFunction.Dot,
                    "euclidean" => SimilarityFunction.Euclidean,
                    "manhattan" => SimilarityFunction.Manhattan,
                    _ => SimilarityFunction.Cosine,
                };
        }
        return config;
    }
}
