using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings.ML;

/// <summary>The settings an embedding stage saves with its model (one JSON line of the saved state).</summary>
internal sealed class EmbeddingSettings
{
    public EmbeddingBackend Backend { get; set; }
    public PoolingMode? Pooling { get; set; }
    public bool? Normalize { get; set; }
    public string? Prompt { get; set; }
    public string? PromptName { get; set; }
    public int? Dimensions { get; set; }
    public int? MaxLength { get; set; }
    public int BatchSize { get; set; } = 32;
    public int WindowSize { get; set; } = 1024;
    public string OnnxModelFile { get; set; } = "model.onnx";
    public ModelStorage Storage { get; set; }

    public static EmbeddingSettings From(ApplyEmbeddingOptions o) => new()
    {
        Backend = o.Backend, Pooling = o.Pooling, Normalize = o.Normalize, Prompt = o.Prompt, PromptName = o.PromptName,
        Dimensions = o.Dimensions, MaxLength = o.MaxLength, BatchSize = o.BatchSize, WindowSize = o.WindowSize,
        OnnxModelFile = o.OnnxModelFile, Storage = o.Storage,
    };

    public EncodeOptions ToEncodeOptions() => new()
    {
        Prompt = Prompt, PromptName = PromptName, Normalize = Normalize, Dimensions = Dimensions, MaxLength = MaxLength, BatchSize = BatchSize,
    };

    public void Validate()
    {
        if (BatchSize < 1) throw new ConfigurationException(nameof(ApplyEmbeddingOptions.BatchSize), $"must be at least 1, found {BatchSize}.");
        if (WindowSize < 1) throw new ConfigurationException(nameof(ApplyEmbeddingOptions.WindowSize), $"must be at least 1, found {WindowSize}.");
    }
}
