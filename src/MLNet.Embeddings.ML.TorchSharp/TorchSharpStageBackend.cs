using MLNet.Embeddings.TorchSharp;

namespace MLNet.Embeddings.ML.TorchSharp;

/// <summary>
/// The libtorch engine of embedding stages (<see cref="EmbeddingBackend.TorchSharp"/>): a BERT-family folder run by
/// <see cref="TorchSharpBackend.Load"/> on <see cref="ApplyEmbeddingOptions.Device"/> (cpu, cuda, cuda:N). Found on
/// first use when this package is referenced; <c>EmbeddingStageBackends.Register(new TorchSharpStageBackend())</c> adds it explicitly.
/// The application adds a libtorch native package (libtorch-cpu-linux-x64, or a CUDA one).
/// </summary>
public sealed class TorchSharpStageBackend : IEmbeddingStageBackend
{
    /// <inheritdoc />
    public EmbeddingBackend Backend => EmbeddingBackend.TorchSharp;

    /// <inheritdoc />
    public SentenceEncoder Load(string modelPath, ApplyEmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TorchSharpBackend.Load(modelPath, options.Device ?? "cpu");
    }

    /// <summary>Saves the model folder (sentence-transformers layout) into <paramref name="folder"/>/model.</summary>
    public void Pack(SentenceEncoder encoder, string? sourcePath, ApplyEmbeddingOptions options, string folder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        encoder.Save(PackedModelPath(folder));
    }

    /// <inheritdoc />
    public string PackedModelPath(string folder) => Path.Combine(folder, "model");
}
