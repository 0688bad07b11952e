using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings;

/// <summary>Options for <c>SentenceEncoder.Encode</c>; defaults follow sentence-transformers' <c>encode</c>.</summary>
public sealed class EncodeOptions
{
    /// <summary>Name of a prompt from config_sentence_transformers.json (e.g. "query"); null uses the default prompt, if any.</summary>
    public string? PromptName { get; set; }
    /// <summary>A literal prompt prepended to every text; wins over <see cref="PromptName"/>.</summary>
    public string? Prompt { get; set; }
    /// <summary>Texts per forward pass (grouped by length). Default 32.</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>L2-normalise the vectors; null follows the model (a Normalize module in modules.json).</summary>
    public bool? Normalize { get; set; }
    /// <summary>Keep only the first N dimensions (Matryoshka truncation), applied before normalisation; null keeps all.</summary>
    public int? Dimensions { get; set; }
    /// <summary>
    /// Pooling mode; null uses the model's (1_Pooling/config.json, mean for plain folders). A model that pools inside its
    /// backbone accepts only its own mode.
    /// </summary>
    public PoolingMode? Pooling { get; set; }
    /// <summary>Token cap per text; null follows the model's max_seq_length.</summary>
    public int? MaxLength { get; set; }
    /// <summary>Receives the number of texts encoded so far.</summary>
    public IProgress<int>? Progress { get; set; }
}
