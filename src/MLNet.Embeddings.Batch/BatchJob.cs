using System.Text.Json;
using MLNet.Embeddings.Quantization;

namespace MLNet.Embeddings.Training.Batch;

/// <summary>
/// A file-to-file batch scoring job that survives being killed. The output is built in <c>OUTPUT.partial</c>; after
/// each window is written and flushed to disk, a small commit marker <c>OUTPUT.partial.progress</c>
/// (<c>{"rows": R, "bytes": B, ...}</c>) is replaced atomically (temp file, rename). When the job ends,
/// <c>OUTPUT.partial</c> is renamed to <c>OUTPUT</c> and the marker removed, so <c>OUTPUT</c> only ever appears
/// complete. With <see cref="BatchJobOptions.Resume"/> a later run truncates <c>OUTPUT.partial</c> to the marker's
/// <c>B</c> bytes, which drops a torn line or an uncommitted window left by <c>kill -9</c> or a power cut, skips the
/// marker's <c>R</c> rows of the input and goes on: the result is byte-identical to an uninterrupted run, with no row
/// missing or repeated. Resume needs JSONL output (a Parquet file is unreadable until its footer is written).
/// </summary>
public static class BatchJob
{
    /// <summary>Suffix of the file being built.</summary>
    public const string PartialSuffix = ".partial";

    /// <summary>Suffix (after <see cref="PartialSuffix"/>) of the commit marker.</summary>
    public const string ProgressSuffix = ".progress";

    /// <summary>Runs the job; see the type's remarks for what is written where.</summary>
    public static BatchSummary Run(SentenceEncoder encoder, BatchJobOptions options, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        long truncatedBefore = encoder.Statistics.TruncatedTexts;
        var summary = Run(encoder.Config.ModelId, options,
            (rows, count, encode, ct) => BatchEmbedder.Calibrate(encoder, rows, count, encode, ct),
            (rows, writer, batch, committed, p, ct) => (BatchEmbedder.Run(encoder, rows, writer, batch, committed, p, ct, out long written), written),
            progress, cancellationToken);
        return summary with { TruncatedTexts = encoder.Statistics.TruncatedTexts - truncatedBefore };
    }

    /// <summary>Runs the job with any embedding generator (a remote API); <see cref="BatchOptions.ChunkTokens"/> is refused (it needs a tokenizer).</summary>
    public static BatchSummary Run(Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> generator, BatchJobOptions options,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        string model = (generator.GetService(typeof(Microsoft.Extensions.AI.EmbeddingGeneratorMetadata)) as Microsoft.Extensions.AI.EmbeddingGeneratorMetadata)?.DefaultModelId ?? generator.GetType().Name;
        return Run(model, options,
            (rows, count, encode, ct) => BatchEmbedder.Calibrate(generator, rows, count, encode, ct),
            (rows, writer, batch, committed, p, ct) => (BatchEmbedder.Run(generator, rows, writer, batch, committed, p, ct, out long written), written),
            progress, cancellationToken);
    }

    delegate QuantizationRanges Calibrator(IEnumerable<BatchRow> rows, int count, EncodeOptions encode, CancellationToken cancellationToken);
    delegate (long Rows, long Written) Embedder(IEnumerable<BatchRow> rows, EmbeddingWriter writer, BatchOptions batch, Action<long> committed, IProgress<long>? progress, CancellationToken cancellationToken);

    static BatchSummary Run(string modelId, BatchJobOptions options, Calibrator calibrate, Embedder embed, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var batch = options.Batch;
        batch.Validate();
        if (!File.Exists(options.Input)) throw new FileNotFoundException($"--input: file not found: {options.Input}", options.Input);
        string output = Path.GetFullPath(options.Output);
        var format = BatchInput.FormatOf(output, "--output");
        if (format is not (BatchFormat.Jsonl or BatchFormat.Parquet))
            throw new ConfigurationException("--output", $"embeddings are written as .jsonl or .parquet, found '{Path.GetExtension(output)}'.");
        if (options.Resume && format == BatchFormat.Parquet)
            throw new ConfigurationException("--resume", "needs a .jsonl output: a Parquet file cannot be appended to after a kill (its footer is missing); use shards for Parquet, or write JSONL.");
        string partial = output + PartialSuffix, marker = partial + ProgressSuffix;
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);

        if (options.Resume && File.Exists(output) && !File.Exists(partial))
            return new BatchSummary { AlreadyComplete = true };

        var ranges = Ranges(calibrate, options, output, cancellationToken, out string? calibrationFile);
        var settings = Settings(options, modelId);
        long skipRows = 0, keepBytes = 0;
        if (options.Resume && File.Exists(partial) && File.Exists(marker))
        {
            (skipRows, keepBytes) = ReadMarker(marker, settings);
            long length = new FileInfo(partial).Length;
            if (length < keepBytes)
                throw new DatasetFormatException(partial, 0, null, $"is {length} bytes, shorter than the {keepBytes} bytes its commit marker records; delete it and start over.");
        }
        batch.SkipRows = skipRows;
        batch.Ranges = ranges;

        using (var stream = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16))
        {
            stream.SetLength(keepBytes); // cut whatever came after the last commit (torn line, uncommitted window)
            stream.Position = keepBytes;
            if (keepBytes == 0) WriteMarker(marker, settings, 0, 0);
            using var writer = EmbeddingWriter.Create(format, stream, batch.Precision, ranges, options.IdColumn is not null, batch.ChunkTokens is not null);
            var rows = BatchInput.Read(options.Input, options.TextColumn, options.IdColumn);
            var (encoded, written) = embed(rows, writer, batch,
                committed => { if (format == BatchFormat.Jsonl) WriteMarker(marker, settings, committed, stream.Position); },
                progress, cancellationToken);
            writer.Complete();
            stream.Flush(flushToDisk: true);
            stream.Dispose();
            File.Move(partial, output, overwrite: true);
            File.Delete(marker);
            return new BatchSummary { Rows = encoded, ResumedRows = skipRows, CalibrationFile = calibrationFile, OutputRows = written };
        }
    }

    static QuantizationRanges? Ranges(Calibrator calibrate, BatchJobOptions options, string output, CancellationToken cancellationToken, out string? file)
    {
        var batch = options.Batch;
        file = null;
        if (!EmbeddingQuantizer.NeedsRanges(batch.Precision)) return null;
        if (batch.Ranges is not null) return batch.Ranges;
        file = Path.GetFullPath(options.CalibrationFile ?? output + ".calibration.json");
        if (File.Exists(file)) return QuantizationRanges.Load(file);
        // Every shard calibrates on the same first rows of the whole input, so all shards (and a resumed run) agree.
        var ranges = calibrate(BatchInput.Read(options.Input, options.TextColumn), batch.CalibrationRows, batch.Encode, cancellationToken);
        ranges.Save(file);
        return ranges;
    }

    /// <summary>What must match between the interrupted run and the resumed one.</summary>
    static Dictionary<string, string> Settings(BatchJobOptions o, string modelId) => new()
    {
        ["input"] = Path.GetFileName(o.Input),
        ["shard"] = o.Batch.Shard.ToString(),
        ["precision"] = EmbeddingQuantizer.Name(o.Batch.Precision),
        ["window"] = o.Batch.WindowSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["id_column"] = o.IdColumn ?? "",
        ["model"] = modelId,
        ["chunks"] = o.Batch.ChunkTokens is int t ? $"{t}/{o.Batch.ChunkOverlap}" : "",
    };

    static (long Rows, long Bytes) ReadMarker(string marker, Dictionary<string, string> settings)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(marker));
            var root = doc.RootElement;
            foreach (var (key, value) in settings)
            {
                string found = root.TryGetProperty(key, out var v) ? v.GetString() ?? "" : "";
                if (found != value)
                    throw new ConfigurationException("--resume", $"the interrupted run had {key} '{found}', this one '{value}' ({marker}); use the same settings or start over without --resume.");
            }
            return (root.GetProperty("rows").GetInt64(), root.GetProperty("bytes").GetInt64());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new DatasetFormatException(marker, 0, null, $"unreadable commit marker: {ex.Message}", ex);
        }
    }

    static void WriteMarker(string marker, Dictionary<string, string> settings, long rows, long bytes)
    {
        string temp = marker + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteNumber("rows", rows);
                json.WriteNumber("bytes", bytes);
                foreach (var (key, value) in settings) json.WriteString(key, value);
                json.WriteEndObject();
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, marker, overwrite: true);
    }
}
