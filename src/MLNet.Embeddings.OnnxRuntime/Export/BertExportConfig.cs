using MLNet.Embeddings.OnnxRuntime.Models;

namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>The BERT dimensions the exporter needs (from config.json).</summary>
/// <param name="HiddenSize">hidden_size.</param>
/// <param name="Layers">num_hidden_layers.</param>
/// <param name="Heads">num_attention_heads.</param>
/// <param name="LayerNormEps">layer_norm_eps.</param>
/// <param name="HiddenAct">hidden_act: gelu (erf), gelu_new / gelu_pytorch_tanh (tanh approximation) or relu.</param>
public sealed record BertExportConfig(int HiddenSize, int Layers, int Heads, float LayerNormEps = 1e-12f, string HiddenAct = "gelu")
{
    /// <summary>Reads config.json of a Hugging Face BERT folder.</summary>
    public static BertExportConfig Read(string configPath)
    {
        var json = FolderSettings.ReadJson(configPath) ?? throw new ModelFormatException(configPath, "config.json not found.");
        int Need(string key) => FolderSettings.Int(json, key, -1) is > 0 and var v ? v
            : throw new ModelFormatException(configPath, $"field '{key}' is missing or not a positive integer.");
        float eps = json["layer_norm_eps"] is { } e ? e.GetValue<float>() : 1e-12f;
        string act = json["hidden_act"]?.GetValue<string>() ?? "gelu";
        return new BertExportConfig(Need("hidden_size"), Need("num_hidden_layers"), Need("num_attention_heads"), eps, act);
    }
}
