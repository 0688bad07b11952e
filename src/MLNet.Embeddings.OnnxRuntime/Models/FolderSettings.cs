using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.OnnxRuntime.Models;

/// <summary>
/// Reads what the ONNX side needs from a Hugging Face / sentence-transformers folder: config.json sizes, and the
/// sentence-transformers settings (pooling, Normalize module, max_seq_length, prompts, similarity) through the encoder's reader.
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

    /// <summary>The sentence-transformers settings of a folder, read by the encoder's <see cref="ModelFolder"/> reader.</summary>
    public static SentenceEncoderConfig ReadEncoderConfig(string folder) => ModelFolder.Read(folder).Config;
}
