using System.Text.Json.Nodes;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.OnnxRuntime.Models;

/// <summary>
/// Reads what the ONNX side needs from a Hugging Face / sentence-transformers folder: config.json sizes, and the
/// sentence-transformers settings (pooling, Normalize module, max_seq_length, prompts, similarity) through the encoder's reader.
/// </summary>
internal static class FolderSettings
{
    /// <summary>The root object of a JSON file (<see cref="JsonFile.ReadObject"/>), or null when the file does not exist.</summary>
    public static JsonObject? ReadJson(string path) => JsonFile.ReadObject(path);

    /// <summary>The sentence-transformers settings of a folder, read by the encoder's <see cref="ModelFolder"/> reader.</summary>
    public static SentenceEncoderConfig ReadEncoderConfig(string folder) => ModelFolder.Read(folder).Config;
}
