using System.Globalization;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.OnnxRuntime.Models;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>
/// Writes our models as ONNX files that ONNX Runtime (any language) runs: dynamic batch and sequence axes,
/// weights as initialisers (external data past 2 GB), pooling and normalisation inside the graph by default
/// (<c>sentence_embedding</c> + <c>token_embeddings</c>), or <c>last_hidden_state</c> only; optional int8 weights.
/// </summary>
public static class OnnxExporter
{
    const long ProtobufLimit = 2L * 1024 * 1024 * 1024 - 64 * 1024 * 1024; // leave room for the graph itself

    /// <summary>Exports a model folder (config.json + model.safetensors, with sentence-transformers settings when present).</summary>
    public static OnnxExportResult Export(string modelFolder, string outputPath, OnnxExportOptions? options = null)
    {
        options ??= new OnnxExportOptions();
        var configPath = Path.Combine(modelFolder, "config.json");
        var json = FolderSettings.ReadJson(configPath) ?? throw new ModelFormatException(modelFolder, "config.json not found; export needs a Hugging Face model folder.");
        string type = json["model_type"]?.GetValue<string>() ?? "";
        if (type != "bert")
            throw new ModelFormatException(configPath, $"model_type '{type}' cannot be exported to ONNX yet (supported: bert).");
        var weights = Path.Combine(modelFolder, "model.safetensors");
        if (!File.Exists(weights)) throw new ModelFormatException(modelFolder, "model.safetensors not found.");
        var settings = FolderSettings.ReadEncoderConfig(modelFolder);
        var resolved = Copy(options);
        resolved.Pooling ??= settings.Pooling;
        resolved.Normalize ??= settings.Normalize;
        return ExportBert(BertExportConfig.Read(configPath), SafeTensors.Read(weights), outputPath, resolved, settings.ModelId);
    }

    /// <summary>Exports BERT weights named as in Hugging Face (<c>embeddings.word_embeddings.weight</c>, <c>encoder.layer.{i}.…</c>).</summary>
    public static OnnxExportResult ExportBert(BertExportConfig config, IReadOnlyDictionary<string, Parameter> parameters, string outputPath,
        OnnxExportOptions? options = null, string modelId = "model")
    {
        options ??= new OnnxExportOptions();
        var pooling = options.Pooling ?? PoolingMode.Mean;
        bool normalize = options.Normalize ?? false;
        var graph = BertGraphWriter.Build(config, parameters, pooling, normalize, options);
        bool external = options.ExternalData ?? graph.InitializerBytes > ProtobufLimit;
        var metadata = new Dictionary<string, string>
        {
            ["model_id"] = modelId,
            ["model_type"] = "bert",
            ["pooling"] = options.IncludePooling ? pooling.ToString() : "none",
            ["normalize"] = (options.IncludePooling && normalize).ToString(CultureInfo.InvariantCulture).ToLowerInvariant(),
            ["quantization"] = options.Quantize.ToString().ToLowerInvariant(),
        };
        var version = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0";
        graph.Save(outputPath, external, version, metadata,
            $"{modelId} exported by MLNet.Embeddings (BERT, {config.Layers} layers, hidden {config.HiddenSize}, opset {options.Opset}).");
        return new OnnxExportResult(Path.GetFullPath(outputPath), external ? Path.GetFullPath(outputPath) + "_data" : null,
            options.IncludePooling ? ["sentence_embedding", "token_embeddings"] : ["last_hidden_state"], config.HiddenSize);
    }

    static OnnxExportOptions Copy(OnnxExportOptions o) => new()
    {
        Opset = o.Opset, IncludePooling = o.IncludePooling, Pooling = o.Pooling, Normalize = o.Normalize,
        Quantize = o.Quantize, PerChannel = o.PerChannel, ReduceRange = o.ReduceRange, ExternalData = o.ExternalData,
    };
}
