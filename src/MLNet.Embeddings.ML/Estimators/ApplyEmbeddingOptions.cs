using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings.ML;

/// <summary>Settings of <c>ApplyEmbedding</c>; null values follow the model folder (as <c>SentenceEncoder.Encode</c> does).</summary>
public sealed class ApplyEmbeddingOptions
{
    /// <summary>Pooling mode; null uses the model's 1_Pooling configuration (mean for plain folders).</summary>
    public PoolingMode? Pooling { get; set; }
    /// <summary>L2-normalise the vectors; null follows the model (a Normalize module).</summary>
    public bool? Normalize { get; set; }
    /// <summary>A literal prompt prepended to every text; wins over <see cref="PromptName"/>.</summary>
    public string? Prompt { get; set; }
    /// <summary>A named prompt of the model (config_sentence_transformers.json); null uses its default prompt, if any.</summary>
    public string? PromptName { get; set; }
    /// <summary>Matryoshka truncation: keep the first N dimensions (then normalise); null keeps the model's size.</summary>
    public int? Dimensions { get; set; }
    /// <summary>Token cap per text; null uses the model's max_seq_length.</summary>
    public int? MaxLength { get; set; }
    /// <summary>Texts per forward pass inside a window (grouped by length) (32).</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>Rows read ahead and embedded together by a cursor (1024); memory holds one window of vectors per output column.</summary>
    public int WindowSize { get; set; } = 1024;
    /// <summary>The engine (managed by default).</summary>
    public EmbeddingBackend Backend { get; set; } = EmbeddingBackend.Managed;
    /// <summary>For <see cref="EmbeddingBackend.Onnx"/>: the ONNX file inside the model folder (model.onnx) or a full path.</summary>
    public string OnnxModelFile { get; set; } = "model.onnx";
    /// <summary>Where <c>mlContext.Model.Save</c> keeps the model (inside the zip by default).</summary>
    public ModelStorage Storage { get; set; } = ModelStorage.Embedded;
}
