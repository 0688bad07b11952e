using System.CommandLine;
using System.Text.Json;
using MLNet.Embeddings.OnnxRuntime.Export;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary><c>mlnet-embed export</c>: writes a model folder as an ONNX file (pooling inside by default, optional int8).</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model folder (config.json + model.safetensors) or word-vector file (.txt/.vec/.bin). A cross-encoder folder (architectures *ForSequenceClassification) is exported with its head: output logits.", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "ONNX file to write.", Required = true };
        var noPooling = new Option<bool>("--no-pooling") { Description = "Output last_hidden_state only (no pooling/normalisation in the graph)." };
        var quantize = new Option<string>("--quantize") { Description = "Weight quantisation: none or int8 (dynamic, MatMulInteger).", DefaultValueFactory = _ => "none" };
        var opset = new Option<int>("--opset") { Description = "ONNX opset, 14–21.", DefaultValueFactory = _ => 17 };
        var perTensor = new Option<bool>("--per-tensor") { Description = "int8: one scale per weight matrix instead of per output column." };
        var reduceRange = new Option<bool>("--reduce-range") { Description = "int8: 7-bit weights, for CPUs without VNNI." };
        var external = new Option<bool>("--external-data") { Description = "Write weights to FILE.onnx_data (automatic above 2 GB)." };
        var command = new Command("export", "Export a model to ONNX (runs in ONNX Runtime from any language).");
        foreach (var o in new Option[] { model, output, noPooling, quantize, opset, perTensor, reduceRange, external }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var q = parse.GetValue(quantize)?.ToLowerInvariant() switch
            {
                "none" or null or "" => OnnxQuantization.None,
                "int8" => OnnxQuantization.Int8,
                var other => throw new ConfigurationException("--quantize", $"expected none or int8, found '{other}'."),
            };
            var options = new OnnxExportOptions
            {
                Opset = parse.GetValue(opset),
                IncludePooling = !parse.GetValue(noPooling),
                Quantize = q,
                PerChannel = !parse.GetValue(perTensor),
                ReduceRange = parse.GetValue(reduceRange),
                ExternalData = parse.GetValue(external) ? true : null,
            };
            string modelPath = ModelArgument.ResolveName(parse.GetValue(model)!, "--model");
            bool crossEncoder = Directory.Exists(modelPath) && CrossEncoders.CrossEncoder.IsCrossEncoderFolder(modelPath);
            if (crossEncoder && !options.IncludePooling)
                throw new ConfigurationException("--no-pooling", $"{modelPath} is a cross-encoder: it is exported with its classification head (output logits), and has no pooling to leave out.");
            string graph = crossEncoder ? "cross-encoder, logits" : options.IncludePooling ? "pooling in graph" : "no pooling";
            Console.Error.WriteLine($"exporting {parse.GetValue(model)} (opset {options.Opset}, {graph}, {q.ToString().ToLowerInvariant()})…");
            if (q == OnnxQuantization.Int8 && IsStatic(modelPath))
                throw new ConfigurationException("--quantize", "int8 quantises the weights of matrix products, and a static word-vector model has none " +
                    "(its graph is an embedding lookup, mean pooling and normalisation): the file would be the same size. Export without --quantize.");
            var result = File.Exists(modelPath) // a word-vector file (.txt/.vec/.bin): load it, then export the static backbone
                ? OnnxExporter.Export(SentenceEncoder.Load(modelPath), parse.GetValue(output)!, options)
                : OnnxExporter.Export(modelPath, parse.GetValue(output)!, options);
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                model = result.ModelPath,
                external_data = result.ExternalDataPath,
                outputs = result.Outputs,
                dimensions = result.Dimensions,
                opset = options.Opset,
                quantization = q.ToString().ToLowerInvariant(),
                bytes = new FileInfo(result.ModelPath).Length + (result.ExternalDataPath is null ? 0 : new FileInfo(result.ExternalDataPath).Length),
            }));
            return 0;
        });
        return command;
    }

    /// <summary>A word-vector file, or a folder whose config.json says <c>"model_type": "static"</c>.</summary>
    static bool IsStatic(string modelPath)
    {
        if (File.Exists(modelPath)) return true;
        string config = Path.Combine(modelPath, "config.json");
        if (!File.Exists(config)) return false;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(config));
            return doc.RootElement.TryGetProperty("model_type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "static";
        }
        catch (JsonException) { return false; } // the exporter reports the broken file
    }
}
