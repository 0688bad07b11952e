using System.CommandLine;
using System.Text;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Quantization;
using MLNet.Embeddings.Training.Batch;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed embed</c>: streams every text of an input file through the encoder in windows and writes
/// <c>{"index": i, "id"?: ..., "embedding": [...]}</c> lines (or Parquet rows) in input order, to stdout or to --output
/// (built in OUTPUT.partial, renamed when complete; <c>--resume</c> continues it after a kill). Memory stays flat
/// whatever the input size (<see cref="BatchEmbedder"/>, <see cref="BatchJob"/>).
/// </summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (sentence-transformers or Hugging Face) or word-vector file (.txt/.vec/.bin).", Required = true };
        var input = new Option<string>("--input") { Description = "Texts: .txt (one per line), .jsonl (field 'text'), .csv/.tsv (column 'text'), .parquet (string column 'text').", Required = true };
        var output = new Option<string?>("--output") { Description = "Write .jsonl or .parquet here instead of JSONL to stdout (built in OUTPUT.partial, renamed when complete)." };
        var textColumn = new Option<string?>("--text-column") { Description = "Field (.jsonl) or column (.csv/.parquet) holding the text; default 'text'." };
        var idColumn = new Option<string?>("--id-column") { Description = "Field or column copied to each output row as \"id\"." };
        var pooling = new Option<string?>("--pooling") { Description = "Override the pooling: mean, cls, max, mean_sqrt_len_tokens, weightedmean, lasttoken." };
        var normalize = new Option<bool>("--normalize") { Description = "L2-normalise the vectors (default: the model's configuration)." };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted --output (.jsonl) from its last committed window." };
        var shard = new Option<string?>("--shard") { Description = "i/N: process only rows whose index mod N is i (merge the N outputs with 'merge')." };
        var precision = new Option<string>("--precision") { Description = "float32, int8, uint8, binary or ubinary (sentence-transformers' quantize_embeddings).", DefaultValueFactory = _ => "float32" };
        var calibration = new Option<string?>("--calibration") { Description = "int8/uint8 ranges file: reused when it exists, else computed from the input's first rows and saved (default OUTPUT.calibration.json)." };
        var calibrationRows = new Option<int>("--calibration-rows") { Description = "Rows of the input embedded to compute int8/uint8 ranges.", DefaultValueFactory = _ => 10_000 };
        var window = new Option<int>("--window") { Description = "Rows read, encoded and written together (memory is bounded by one window).", DefaultValueFactory = _ => 4096 };
        var shared = EncodeArguments.Create();
        var backend = BackendArguments.Create();
        var command = new Command("embed", "Encode texts to vectors (JSONL or Parquet, one row per input in input order), streaming.");
        foreach (var o in new Option[] { model, input, output, textColumn, idColumn, pooling, normalize, resume, shard, precision, calibration, calibrationRows, window })
            command.Options.Add(o);
        shared.AddTo(command);
        backend.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            string inputPath = InputFile.Require(parseResult.GetValue(input)!, "--input");
            BatchInput.FormatOf(inputPath);
            string? outputPath = parseResult.GetValue(output);
            if (parseResult.GetValue(resume) && outputPath is null) throw new ConfigurationException("--resume", "needs --output (stdout cannot be resumed).");
            var batch = new BatchOptions
            {
                WindowSize = parseResult.GetValue(window),
                Shard = parseResult.GetValue(shard) is { } s ? ShardSpec.Parse(s) : ShardSpec.All,
                Precision = EmbeddingQuantizer.Parse(parseResult.GetValue(precision)!, "--precision"),
                CalibrationRows = parseResult.GetValue(calibrationRows),
            };
            if (batch.WindowSize < 1) throw new ConfigurationException("--window", $"must be at least 1, found {batch.WindowSize}.");
            if (batch.CalibrationRows < 1) throw new ConfigurationException("--calibration-rows", $"must be at least 1, found {batch.CalibrationRows}.");
            var encoder = backend.Load(parseResult, parseResult.GetValue(model)!);
            batch.Encode = shared.Read(parseResult);
            if (parseResult.GetValue(pooling) is { } p)
                batch.Encode.Pooling = ModelFolder.ParsePoolingMode(p)
                    ?? throw new ConfigurationException("--pooling", $"unknown mode '{p}'; expected mean, cls, max, mean_sqrt_len_tokens, weightedmean or lasttoken.");
            if (parseResult.GetValue(normalize)) batch.Encode.Normalize = true; // absent: the model folder decides
            encoder.EffectiveMaxLength(batch.Encode.MaxLength); // option errors before any row is read, even for an empty input
            encoder.ResolvePrompt(batch.Encode);
            if (batch.Encode.Dimensions is { } d && (d < 1 || d > encoder.Dimensions))
                throw new ConfigurationException("--dimensions", $"must be between 1 and {encoder.Dimensions}, found {d}.");
            if (batch.Encode.Pooling is not null)
                try { encoder.CreatePoolingHead(batch.Encode); }
                catch (ConfigurationException e) when (e.Setting == nameof(EncodeOptions.Pooling)) { throw new ConfigurationException("--pooling", e.Message[(e.Setting.Length + 2)..]); }

            using var progress = new RowProgress("embedding");
            string? calibrationPath = parseResult.GetValue(calibration);
            if (outputPath is null)
            {
                if (EmbeddingQuantizer.NeedsRanges(batch.Precision))
                {
                    if (calibrationPath is null) throw new ConfigurationException("--calibration", $"{EmbeddingQuantizer.Name(batch.Precision)} to stdout needs --calibration FILE (read if it exists, else computed and saved there).");
                    batch.Ranges = File.Exists(calibrationPath) ? QuantizationRanges.Load(calibrationPath)
                        : Saved(BatchEmbedder.Calibrate(encoder, BatchInput.Read(inputPath, parseResult.GetValue(textColumn)), batch.CalibrationRows, batch.Encode, cancellationToken), calibrationPath);
                }
                var stdout = new TextWriterStream(Console.Out);
                using (var writer = new JsonlEmbeddingWriter(stdout, batch.Precision, batch.Ranges, parseResult.GetValue(idColumn) is not null))
                {
                    var rows = BatchInput.Read(inputPath, parseResult.GetValue(textColumn), parseResult.GetValue(idColumn));
                    long n = BatchEmbedder.Run(encoder, rows, writer, batch, null, progress, cancellationToken);
                    Console.Out.Flush();
                    progress.Dispose();
                    Console.Error.WriteLine($"embedded {n} texts");
                }
                return Task.FromResult(0);
            }
            var summary = BatchJob.Run(encoder, new BatchJobOptions
            {
                Input = inputPath, Output = outputPath, TextColumn = parseResult.GetValue(textColumn), IdColumn = parseResult.GetValue(idColumn),
                Resume = parseResult.GetValue(resume), CalibrationFile = calibrationPath, Batch = batch,
            }, progress, cancellationToken);
            progress.Dispose();
            if (summary.AlreadyComplete) Console.Error.WriteLine($"{outputPath} is already complete; nothing to resume");
            else
                Console.Error.WriteLine($"embedded {summary.Rows} texts{(summary.ResumedRows > 0 ? $" (resumed after {summary.ResumedRows})" : "")} → {outputPath}"
                    + (summary.CalibrationFile is { } c ? $" (calibration: {c})" : ""));
            return Task.FromResult(0);
        });
        return command;
    }

    static QuantizationRanges Saved(QuantizationRanges ranges, string path) { ranges.Save(path); return ranges; }
}

/// <summary>Rows-done progress on stderr for streamed inputs of unknown length: a count every few seconds, no percentage.</summary>
internal sealed class RowProgress(string label) : IProgress<long>, IDisposable
{
    readonly StatusLine _line = StatusLine.ForStderr();
    readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    long _shown = -1;
    bool _ended;

    public void Report(long done)
    {
        if (_ended || done < 10_000 || done == _shown) return;
        _shown = done;
        _line.Update($"{label} {done:N0} rows ({done / Math.Max(_clock.Elapsed.TotalSeconds, 1e-3):N0}/s)");
    }

    public void Dispose() { if (_ended) return; _ended = true; _line.End(); }
}

/// <summary>A write-only stream that decodes UTF-8 into a <see cref="TextWriter"/> (stdout as the tests capture it).</summary>
internal sealed class TextWriterStream(TextWriter writer) : Stream
{
    readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
    char[] _chars = new char[1 << 16];

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => writer.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        int need = _decoder.GetCharCount(buffer, flush: false);
        if (_chars.Length < need) _chars = new char[need];
        int n = _decoder.GetChars(buffer, _chars, flush: false);
        writer.Write(_chars, 0, n);
    }
}
