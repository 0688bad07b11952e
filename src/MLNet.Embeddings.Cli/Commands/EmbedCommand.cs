using System.CommandLine;
using System.Text;
using System.Text.Json;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed embed</c>: encodes every text of an input file; writes JSONL <c>{"index": i, "embedding": [...]}</c>
/// in input order to stdout or, atomically, to --output.
/// </summary>
internal static class EmbedCommand
{
    /// <summary>Texts encoded per call to the encoder: within a chunk texts are sorted by length, and lines are written as chunks finish.</summary>
    const int ChunkSize = 4096;

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (sentence-transformers or Hugging Face) or word-vector file (.txt/.vec/.bin).", Required = true };
        var input = new Option<string>("--input") { Description = "Texts: .txt (one per line), .jsonl (field 'text'), .csv/.tsv (column 'text').", Required = true };
        var output = new Option<string?>("--output") { Description = "Write JSONL here (atomically) instead of stdout." };
        var textColumn = new Option<string?>("--text-column") { Description = "Field (.jsonl) or column (.csv) holding the text; default 'text'." };
        var pooling = new Option<string?>("--pooling") { Description = "Override the pooling: mean, cls, max, mean_sqrt_len_tokens, weightedmean, lasttoken." };
        var normalize = new Option<bool>("--normalize") { Description = "L2-normalise the vectors (default: the model's configuration)." };
        var shared = EncodeArguments.Create();
        var backend = BackendArguments.Create();
        var command = new Command("embed", "Encode texts to vectors (JSONL, one line per input in input order).");
        foreach (var o in new Option[] { model, input, output, textColumn, pooling, normalize }) command.Options.Add(o);
        shared.AddTo(command);
        backend.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var texts = TextInput.Read(parseResult.GetValue(input)!, parseResult.GetValue(textColumn));
            var encoder = backend.Load(parseResult, parseResult.GetValue(model)!);
            if (parseResult.GetValue(pooling) is { } p)
                encoder.Config.Pooling = ModelFolder.ParsePoolingMode(p)
                    ?? throw new ConfigurationException("--pooling", $"unknown mode '{p}'; expected mean, cls, max, mean_sqrt_len_tokens, weightedmean or lasttoken.");
            var options = shared.Read(parseResult);
            if (parseResult.GetValue(normalize)) options.Normalize = true; // absent: the model folder decides
            string? outputPath = parseResult.GetValue(output);
            if (outputPath is null)
            {
                Write(encoder, texts, options, Console.Out, cancellationToken);
                Console.Out.Flush();
            }
            else
                AtomicText.Write(outputPath, writer => Write(encoder, texts, options, writer, cancellationToken));
            return Task.FromResult(0);
        });
        return command;
    }

    static void Write(SentenceEncoder encoder, List<string> texts, EncodeOptions options, TextWriter writer, CancellationToken cancellationToken)
    {
        using var progress = ProgressLine.For(texts.Count, "embedding");
        var buffer = new MemoryStream();
        for (int from = 0; from < texts.Count; from += ChunkSize)
        {
            int count = Math.Min(ChunkSize, texts.Count - from);
            int done = from;
            options.Progress = progress is null ? null : new InlineProgress(n => progress.Report(done + n));
            var vectors = encoder.Encode(texts.GetRange(from, count), options, cancellationToken);
            for (int i = 0; i < count; i++)
            {
                buffer.SetLength(0);
                using (var json = new Utf8JsonWriter(buffer))
                {
                    json.WriteStartObject();
                    json.WriteNumber("index", from + i);
                    json.WriteStartArray("embedding");
                    foreach (var v in vectors[i]) json.WriteNumberValue(v);
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                writer.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            }
        }
    }
}
