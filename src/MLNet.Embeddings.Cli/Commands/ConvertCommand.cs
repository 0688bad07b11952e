using System.CommandLine;
using System.Text.Json;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.OnnxRuntime.Import;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed convert</c>: imports a BERT-family ONNX export plus its vocab.txt into a trainable Hugging Face /
/// sentence-transformers folder (safetensors under the HF names, inferred config.json, tokenizer, pooling, normalise).
/// </summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var onnx = new Option<string>("--onnx") { Description = "ONNX file (a PyTorch export of a BERT-family model, weights inside the file).", Required = true };
        var vocab = new Option<string>("--vocab") { Description = "WordPiece vocab.txt of the model (LF or CRLF line ends).", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Folder to write (sentence-transformers layout).", Required = true };
        var pooling = new Option<string>("--pooling") { Description = "Pooling module: mean, cls, max, mean_sqrt_len_tokens, weightedmean or lasttoken.", DefaultValueFactory = _ => "mean" };
        var noNormalize = new Option<bool>("--no-normalize") { Description = "Do not add a Normalize (L2) module." };
        var maxLength = new Option<int?>("--max-length") { Description = "max_seq_length (default: the model's position count; all-MiniLM-L6-v2 uses 256)." };
        var cased = new Option<bool>("--cased") { Description = "Do not lower-case text in the tokenizer (cased vocabularies)." };
        var command = new Command("convert", "Import an ONNX BERT export + vocab.txt into a trainable sentence-transformers folder.");
        foreach (var o in new Option[] { onnx, vocab, output, pooling, noNormalize, maxLength, cased }) command.Options.Add(o);
        command.SetAction((parse, cancellationToken) =>
        {
            string onnxPath = parse.GetValue(onnx)!, vocabPath = parse.GetValue(vocab)!, folder = parse.GetValue(output)!;
            if (!File.Exists(onnxPath)) throw new ConfigurationException("--onnx", $"file not found: {onnxPath}");
            if (!File.Exists(vocabPath)) throw new ConfigurationException("--vocab", $"file not found: {vocabPath}");
            string poolingName = parse.GetValue(pooling)!;
            var mode = ModelFolder.ParsePoolingMode(poolingName)
                ?? throw new ConfigurationException("--pooling", $"expected mean, cls, max, mean_sqrt_len_tokens, weightedmean or lasttoken, found '{poolingName}'.");
            int? max = parse.GetValue(maxLength);
            if (max is <= 0) throw new ConfigurationException("--max-length", $"must be positive, found {max}.");
            var options = new OnnxImportOptions { Pooling = mode, Normalize = !parse.GetValue(noNormalize), MaxSeqLength = max, Lowercase = !parse.GetValue(cased) };
            Console.Error.WriteLine($"converting {onnxPath} …");
            var result = OnnxImporter.Convert(onnxPath, vocabPath, folder, options, cancellationToken);
            var c = result.Model.Config;
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                folder = result.Folder,
                model_type = c.ModelType,
                hidden_size = c.HiddenSize,
                num_hidden_layers = c.NumHiddenLayers,
                num_attention_heads = c.NumAttentionHeads,
                intermediate_size = c.IntermediateSize,
                vocab_size = c.VocabSize,
                max_position_embeddings = c.MaxPositionEmbeddings,
                hidden_act = Kernels.Activation.Name(c.HiddenAct),
                layer_norm_eps = c.LayerNormEps,
                tensors = result.Model.Tensors.Count,
                renamed_weights = result.Model.RenamedWeights.Count,
            }));
            return Task.FromResult(0);
        });
        return command;
    }
}
