using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>Options for <see cref="OnnxExporter"/>.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>ONNX opset (14–21). Default 17 (native LayerNormalization); 14–16 write LayerNorm as primitive ops.</summary>
    public int Opset { get; set; } = 17;
    /// <summary>
    /// Put pooling (and normalisation) inside the graph: outputs <c>sentence_embedding</c> and <c>token_embeddings</c>.
    /// False writes <c>last_hidden_state</c> only. Default true.
    /// </summary>
    public bool IncludePooling { get; set; } = true;
    /// <summary>Pooling mode in the graph; null takes the model folder's (1_Pooling/config.json), else mean.</summary>
    public PoolingMode? Pooling { get; set; }
    /// <summary>L2-normalise inside the graph; null follows the model folder (a Normalize module).</summary>
    public bool? Normalize { get; set; }
    /// <summary>Weight quantisation. Default none.</summary>
    public OnnxQuantization Quantize { get; set; } = OnnxQuantization.None;
    /// <summary>int8: one scale per output column (true, default) or one per matrix.</summary>
    public bool PerChannel { get; set; } = true;
    /// <summary>int8: use 7-bit weights ([-64, 63]) to avoid int16 saturation on CPUs without VNNI (ORT's reduce_range).</summary>
    public bool ReduceRange { get; set; }
    /// <summary>Write weights to an external <c>&lt;file&gt;_data</c> file: true, false, or null = only when the model passes 2 GB.</summary>
    public bool? ExternalData { get; set; }
}
