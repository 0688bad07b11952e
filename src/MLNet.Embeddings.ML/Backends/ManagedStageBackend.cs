namespace MLNet.Embeddings.ML;

/// <summary>The built-in engine: <see cref="SentenceEncoder.Load"/> (BERT-family folders and word-vector files) on the CPU.</summary>
internal sealed class ManagedStageBackend : IEmbeddingStageBackend
{
    public EmbeddingBackend Backend => EmbeddingBackend.Managed;

    public SentenceEncoder Load(string modelPath, ApplyEmbeddingOptions options)
    {
        if (options.Device is { } d && !d.Equals("cpu", StringComparison.OrdinalIgnoreCase))
            throw new ConfigurationException(nameof(ApplyEmbeddingOptions.Device), $"'{d}' needs Backend = TorchSharp (the managed engine runs on the CPU).");
        return SentenceEncoder.Load(modelPath);
    }

    public void Pack(SentenceEncoder encoder, string? sourcePath, ApplyEmbeddingOptions options, string folder) => encoder.Save(PackedModelPath(folder));

    public string PackedModelPath(string folder) => Path.Combine(folder, "model");
}
