using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Kernels;

namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>The BERT dimensions the exporter needs (from config.json / <see cref="BertConfig"/>).</summary>
/// <param name="HiddenSize">hidden_size.</param>
/// <param name="Layers">num_hidden_layers.</param>
/// <param name="Heads">num_attention_heads.</param>
/// <param name="LayerNormEps">layer_norm_eps.</param>
/// <param name="HiddenAct">hidden_act: gelu (erf), gelu_new / gelu_pytorch_tanh (tanh approximation) or relu.</param>
/// <param name="PositionOffset">First position id (0 for BERT; pad_token_id + 1 for RoBERTa / XLM-R).</param>
public sealed record BertExportConfig(int HiddenSize, int Layers, int Heads, float LayerNormEps = 1e-12f, string HiddenAct = "gelu", int PositionOffset = 0)
{
    /// <summary>Reads config.json of a Hugging Face BERT / RoBERTa / XLM-R folder.</summary>
    public static BertExportConfig Read(string configPath) => From(BertConfig.Load(configPath));

    /// <summary>The exporter's view of a managed <see cref="BertConfig"/>.</summary>
    public static BertExportConfig From(BertConfig c) => new(c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.LayerNormEps,
        c.HiddenAct switch { ActivationKind.GeluTanh => "gelu_new", ActivationKind.Relu => "relu", _ => "gelu" }, c.PositionOffset);
}
