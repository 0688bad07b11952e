using MLNet.Embeddings.OnnxRuntime;

namespace MLNet.Embeddings.ML.OnnxRuntime;

/// <summary>
/// The ONNX Runtime engine of embedding stages (<see cref="EmbeddingBackend.Onnx"/>): an exported folder
/// (<c>onnx/model.onnx</c> or <see cref="ApplyEmbeddingOptions.OnnxModelFile"/>) with its tokenizer. Found on first use
/// when this package is referenced; <c>EmbeddingStageBackends.Register(new OnnxStageBackend())</c> adds it explicitly.
/// </summary>
public sealed class OnnxStageBackend : IEmbeddingStageBackend
{
    /// <inheritdoc />
    public EmbeddingBackend Backend => EmbeddingBackend.Onnx;

    /// <inheritdoc />
    public SentenceEncoder Load(string modelPath, ApplyEmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Device is { } d && !d.Equals("cpu", StringComparison.OrdinalIgnoreCase))
            throw new ConfigurationException(nameof(ApplyEmbeddingOptions.Device), $"'{d}' is not available with Backend = Onnx in an embedding stage (it runs on the CPU); use Backend = TorchSharp for CUDA.");
        return OnnxSentenceEncoder.Load(modelPath, new OnnxOptions { ModelFile = options.OnnxModelFile });
    }

    /// <summary>Copies the export (tokenizer, configs, 1_Pooling, 2_Normalize and the ONNX file as onnx/model.onnx) into <paramref name="folder"/>.</summary>
    /// <exception cref="ConfigurationException">The model is not on disk, or its weights are in external data.</exception>
    public void Pack(SentenceEncoder encoder, string? sourcePath, ApplyEmbeddingOptions options, string folder)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (source, model) = OnnxSentenceEncoder.Resolve(sourcePath ?? throw new ConfigurationException(nameof(ApplyEmbeddingOptions.Backend), "an ONNX stage needs its model on disk."), options.OnnxModelFile);
        string[] weights = [".safetensors", ".bin", ".pt", ".pth", ".onnx", ".onnx_data", ".h5", ".msgpack", ".ckpt"];
        Directory.CreateDirectory(Path.Combine(folder, "onnx"));
        foreach (var f in Directory.GetFiles(source))
            if (!weights.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase) && !f.EndsWith("_data", StringComparison.Ordinal))
                File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        foreach (var sub in Directory.GetDirectories(source).Where(d => Path.GetFileName(d) is "1_Pooling" or "2_Normalize"))
        {
            Directory.CreateDirectory(Path.Combine(folder, Path.GetFileName(sub)));
            foreach (var f in Directory.GetFiles(sub)) File.Copy(f, Path.Combine(folder, Path.GetFileName(sub), Path.GetFileName(f)));
        }
        if (File.Exists(model + "_data"))
            throw new ConfigurationException(nameof(ApplyEmbeddingOptions.Storage), $"{model} keeps its weights in external data ({model}_data); such models cannot be packed into the zip, use ModelStorage.Reference.");
        File.Copy(model, Path.Combine(folder, "onnx", "model.onnx"));
        options.OnnxModelFile = "model.onnx";
    }

    /// <inheritdoc />
    public string PackedModelPath(string folder) => folder;
}
