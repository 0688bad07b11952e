namespace MLNet.Embeddings.ML;

/// <summary>
/// An engine that runs the model of an embedding stage (<c>ApplyEmbedding</c>, <c>FineTuneEmbedding</c>'s fitted stage
/// and saved pipelines), chosen by <see cref="ApplyEmbeddingOptions.Backend"/>. The managed engine is built in; ONNX
/// Runtime and TorchSharp come with their own packages and are found through <see cref="EmbeddingStageBackends"/>.
/// </summary>
public interface IEmbeddingStageBackend
{
    /// <summary>The <see cref="ApplyEmbeddingOptions.Backend"/> value this engine serves.</summary>
    EmbeddingBackend Backend { get; }

    /// <summary>Loads the model at <paramref name="modelPath"/> (as given to <c>ApplyEmbedding</c>) for <paramref name="options"/>.</summary>
    /// <exception cref="ConfigurationException">An option does not fit this engine or model.</exception>
    SentenceEncoder Load(string modelPath, ApplyEmbeddingOptions options);

    /// <summary>
    /// Writes into the empty folder <paramref name="folder"/> what a saved pipeline carries for this stage, so that
    /// <see cref="Load"/> of <see cref="PackedModelPath"/> gives the same vectors. May change <paramref name="options"/>
    /// (the copy that is saved with the model) to what that load needs.
    /// </summary>
    /// <param name="encoder">The stage's model.</param>
    /// <param name="sourcePath">The path the model was loaded from; null for a model tuned in memory and not written out.</param>
    /// <param name="options">The saved copy of the stage's settings.</param>
    /// <param name="folder">The folder to fill.</param>
    void Pack(SentenceEncoder encoder, string? sourcePath, ApplyEmbeddingOptions options, string folder);

    /// <summary>The model path inside a folder written by <see cref="Pack"/>.</summary>
    string PackedModelPath(string folder);
}
