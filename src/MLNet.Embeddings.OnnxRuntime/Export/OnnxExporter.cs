using System.Globalization;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Backbones.Gemma3;
using MLNet.Embeddings.Backbones.ModernBert;
using MLNet.Embeddings.Backbones.Qwen3;
using MLNet.Embeddings.Backbones.Static;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Heads;
using MLNet.Embeddings.OnnxRuntime.Models;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>
/// Writes our models as ONNX files that ONNX Runtime (any language) runs: dynamic batch and sequence axes,
/// weights as initialisers (external data past 2 GB), pooling and normalisation inside the graph by default
/// (<c>sentence_embedding</c> + <c>token_embeddings</c>), or <c>last_hidden_state</c> only; optional int8 weights.
/// Supports BERT-family backbones (bert, roberta, xlm-roberta), Qwen3, ModernBERT, Gemma 3 (with the Dense modules) and static word vectors.
/// Cross-encoders (sequence-classification models) are written with their head in the graph: output <c>logits</c>
/// [batch, num_labels], before the activation.
/// </summary>
public static class OnnxExporter
{
    const long ProtobufLimit = 2L * 1024 * 1024 * 1024 - 64 * 1024 * 1024; // leave room for the graph itself

    /// <summary>
    /// Exports a model folder (config.json + model.safetensors, with sentence-transformers settings when present). A
    /// sequence-classification folder (config.json <c>architectures</c> naming a <c>*ForSequenceClassification</c>, see
    /// <see cref="CrossEncoder.IsCrossEncoderFolder"/>) is exported as a cross-encoder, with output <c>logits</c>.
    /// </summary>
    public static OnnxExportResult Export(string modelFolder, string outputPath, OnnxExportOptions? options = null)
    {
        if (Directory.Exists(modelFolder) && CrossEncoder.IsCrossEncoderFolder(modelFolder))
            return Export(CrossEncoder.Load(modelFolder), outputPath, options);
        var configPath = Path.Combine(modelFolder, "config.json");
        var json = FolderSettings.ReadJson(configPath) ?? throw new ModelFormatException(modelFolder, "config.json not found; export needs a model folder.");
        string type = json["model_type"]?.GetValue<string>() ?? "";
        var settings = FolderSettings.ReadEncoderConfig(modelFolder);
        IBackbone backbone = type switch
        {
            "bert" or "roberta" or "xlm-roberta" => BertBackbone.Load(modelFolder),
            StaticEmbeddingBackbone.Type => StaticEmbeddingBackbone.Load(modelFolder),
            "qwen3" => Qwen3Backbone.Load(modelFolder),
            "modernbert" => ModernBertBackbone.Load(modelFolder),
            "gemma3_text" => Gemma3Backbone.Load(modelFolder),
            _ => throw new ModelFormatException(configPath, $"model_type '{type}' cannot be exported to ONNX (supported: bert, roberta, xlm-roberta, qwen3, modernbert, gemma3_text, static)."),
        };
        return Export(backbone, settings, outputPath, options);
    }

    /// <summary>Exports a loaded encoder's backbone with its pooling and normalisation settings.</summary>
    public static OnnxExportResult Export(SentenceEncoder encoder, string outputPath, OnnxExportOptions? options = null)
        => Export(encoder.Backbone, encoder.Config, outputPath, options);

    /// <summary>Exports a managed backbone (<see cref="BertBackbone"/>, <see cref="Qwen3Backbone"/>, <see cref="ModernBertBackbone"/>, <see cref="Gemma3Backbone"/> or <see cref="StaticEmbeddingBackbone"/>); pooling follows <paramref name="settings"/> unless the options say otherwise.</summary>
    public static OnnxExportResult Export(IBackbone backbone, SentenceEncoderConfig settings, string outputPath, OnnxExportOptions? options = null)
    {
        var resolved = Copy(options ?? new OnnxExportOptions());
        resolved.Pooling ??= settings.Pooling;
        resolved.Normalize ??= settings.Normalize;
        switch (backbone)
        {
            case BertBackbone bert:
                return ExportBert(BertExportConfig.From(bert.Config), bert.Parameters.ToDictionary(p => p.Name), outputPath, resolved, settings.ModelId, bert.ModelType);
            case Qwen3Backbone qwen:
                var q = qwen.Config;
                var qwenGraph = Qwen3GraphWriter.Build(q, qwen.Parameters.ToDictionary(p => p.Name), resolved.Pooling.Value, resolved.Normalize.Value, resolved);
                return Save(qwenGraph, outputPath, resolved, settings.ModelId, "qwen3", q.HiddenSize,
                    $"qwen3, {q.NumHiddenLayers} layers, hidden {q.HiddenSize}, {q.NumAttentionHeads} heads ({q.NumKeyValueHeads} key/value)");
            case ModernBertBackbone modern:
                var m = modern.Config;
                var modernGraph = ModernBertGraphWriter.Build(m, modern.Parameters.ToDictionary(p => p.Name), resolved.Pooling.Value, resolved.Normalize.Value, resolved);
                return Save(modernGraph, outputPath, resolved, settings.ModelId, "modernbert", m.HiddenSize,
                    $"modernbert, {m.NumHiddenLayers} layers, hidden {m.HiddenSize}, {m.NumAttentionHeads} heads");
            case Gemma3Backbone gemma:
                var gc = gemma.Config;
                var gemmaGraph = Gemma3GraphWriter.Build(gc, gemma.Parameters.ToDictionary(p => p.Name), settings.Dense, resolved.Pooling.Value, resolved.Normalize.Value, resolved);
                int width = resolved.IncludePooling && settings.Dense.Count > 0 ? settings.Dense[^1].OutFeatures : gc.HiddenSize;
                return Save(gemmaGraph, outputPath, resolved, settings.ModelId, "gemma3_text", width,
                    $"gemma3_text, {gc.NumHiddenLayers} layers, hidden {gc.HiddenSize}, {gc.NumAttentionHeads} heads ({gc.NumKeyValueHeads} key/value), {settings.Dense.Count} Dense modules");
            case StaticEmbeddingBackbone st:
                var graph = StaticGraphWriter.Build(st.Embedding, resolved.Pooling.Value, resolved.Normalize.Value, resolved);
                return Save(graph, outputPath, resolved, settings.ModelId, "static", st.HiddenSize, $"static word vectors, {st.VocabSize} × {st.HiddenSize}");
            default:
                throw new ConfigurationException("backbone", $"a '{backbone.ModelType}' backbone cannot be exported to ONNX (supported: bert, roberta, xlm-roberta, qwen3, modernbert, gemma3_text, static).");
        }
    }

    /// <summary>
    /// Exports a cross-encoder with its head in the graph: inputs <c>input_ids</c>, <c>attention_mask</c>,
    /// <c>token_type_ids</c> (int64 [batch, sequence]); output <c>logits</c> [batch, <see cref="CrossEncoder.NumLabels"/>],
    /// the raw logits before the activation, as Hugging Face's ONNX exports of <c>*ForSequenceClassification</c> models.
    /// Pooling options do not apply (the head reads the first token); opset, int8 and external data do.
    /// </summary>
    /// <exception cref="ConfigurationException">Pooling or normalisation options are set, which a cross-encoder has no use for.</exception>
    public static OnnxExportResult Export(CrossEncoder model, string outputPath, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        if (!options.IncludePooling || options.Pooling is not null || options.Normalize is not null)
            throw new ConfigurationException(options.IncludePooling ? "pooling" : "no-pooling",
                "applies to embedding models; a cross-encoder is exported with its classification head and the output 'logits'.");
        var bert = model.Backbone;
        var parameters = bert.Parameters.Concat(model.Head.Parameters).ToDictionary(p => p.Name);
        var config = BertExportConfig.From(bert.Config);
        var graph = BertGraphWriter.Build(config, parameters, PoolingMode.Cls, false, options, model.Head.Style);
        string modelId = model.SourcePath is { } source ? Path.GetFileName(source.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)) : "cross-encoder";
        var metadata = new Dictionary<string, string>
        {
            ["task"] = "sequence-classification",
            ["num_labels"] = model.NumLabels.ToString(CultureInfo.InvariantCulture),
            ["labels"] = string.Join(",", model.Labels),
            ["activation"] = model.Activation.ToString().ToLowerInvariant(),
        };
        return Save(graph, outputPath, options, modelId, bert.ModelType, model.NumLabels, ["logits"], metadata,
            $"{bert.ModelType} cross-encoder, {config.Layers} layers, hidden {config.HiddenSize}, {model.NumLabels} label(s)");
    }

    /// <summary>Exports BERT weights named as in Hugging Face (<c>embeddings.word_embeddings.weight</c>, <c>encoder.layer.{i}.…</c>).</summary>
    public static OnnxExportResult ExportBert(BertExportConfig config, IReadOnlyDictionary<string, Parameter> parameters, string outputPath,
        OnnxExportOptions? options = null, string modelId = "model", string modelType = "bert")
    {
        options ??= new OnnxExportOptions();
        var graph = BertGraphWriter.Build(config, parameters, options.Pooling ?? PoolingMode.Mean, options.Normalize ?? false, options);
        return Save(graph, outputPath, options, modelId, modelType, config.HiddenSize,
            $"{modelType}, {config.Layers} layers, hidden {config.HiddenSize}, {config.Heads} heads");
    }

    static OnnxExportResult Save(OnnxGraph graph, string outputPath, OnnxExportOptions options, string modelId, string modelType, int width, string description)
    {
        var pooling = options.Pooling ?? PoolingMode.Mean;
        bool normalize = options.Normalize ?? false;
        var metadata = new Dictionary<string, string>
        {
            ["pooling"] = options.IncludePooling ? pooling.ToString() : "none",
            ["normalize"] = (options.IncludePooling && normalize).ToString(CultureInfo.InvariantCulture).ToLowerInvariant(),
        };
        return Save(graph, outputPath, options, modelId, modelType, width,
            options.IncludePooling ? ["sentence_embedding", "token_embeddings"] : ["last_hidden_state"], metadata, description);
    }

    static OnnxExportResult Save(OnnxGraph graph, string outputPath, OnnxExportOptions options, string modelId, string modelType, int width,
        IReadOnlyList<string> outputs, Dictionary<string, string> extraMetadata, string description)
    {
        bool external = options.ExternalData ?? graph.InitializerBytes > ProtobufLimit;
        var metadata = new Dictionary<string, string> { ["model_id"] = modelId, ["model_type"] = modelType };
        foreach (var (k, v) in extraMetadata) metadata[k] = v;
        metadata["quantization"] = options.Quantize.ToString().ToLowerInvariant();
        var version = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0";
        graph.Save(outputPath, external, version, metadata, $"{modelId} exported by MLNet.Embeddings ({description}, opset {options.Opset}).");
        return new OnnxExportResult(Path.GetFullPath(outputPath), external ? Path.GetFullPath(outputPath) + "_data" : null, outputs, width);
    }

    static OnnxExportOptions Copy(OnnxExportOptions o) => new()
    {
        Opset = o.Opset, IncludePooling = o.IncludePooling, Pooling = o.Pooling, Normalize = o.Normalize,
        Quantize = o.Quantize, PerChannel = o.PerChannel, ReduceRange = o.ReduceRange, ExternalData = o.ExternalData,
    };
}
