using MLNet.Embeddings.Chunking;
using MLNet.Embeddings.Quantization;

namespace MLNet.Embeddings.Training.Batch;

/// <summary>
/// Streams rows through an encoder in windows: read <see cref="BatchOptions.WindowSize"/> rows of this shard, encode
/// them (the encoder sorts each window by length for its forward passes), write them in input order, repeat. Peak
/// memory is one window, independent of the input's size. Rows keep their global index, so shard outputs merge back
/// into input order.
/// </summary>
public static class BatchEmbedder
{
    /// <summary>Embeds every row of <paramref name="rows"/> that belongs to the shard and writes it to <paramref name="writer"/>.</summary>
    /// <param name="encoder">The model.</param>
    /// <param name="rows">The input rows in order (e.g. <see cref="BatchInput.Read"/>).</param>
    /// <param name="writer">Receives each window in order.</param>
    /// <param name="options">Window, shard, skip and encoder options.</param>
    /// <param name="windowWritten">Called after each window is written, with the rows of this shard written so far (including skipped ones).</param>
    /// <param name="progress">Receives the rows of this shard done so far (including skipped ones).</param>
    /// <param name="cancellationToken">Stops between windows and between forward passes.</param>
    /// <returns>Rows encoded by this call.</returns>
    public static long Run(SentenceEncoder encoder, IEnumerable<BatchRow> rows, EmbeddingWriter writer, BatchOptions? options = null,
        Action<long>? windowWritten = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
        => Run(encoder, rows, writer, options, windowWritten, progress, cancellationToken, out _);

    /// <summary>Embeds the rows with any embedding generator (a remote API): as the encoder overload, without chunking
    /// (which needs the model's tokenizer).</summary>
    /// <exception cref="ConfigurationException"><see cref="BatchOptions.ChunkTokens"/> is set.</exception>
    public static long Run(Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> generator, IEnumerable<BatchRow> rows,
        EmbeddingWriter writer, BatchOptions? options = null, Action<long>? windowWritten = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
        => Run(generator, rows, writer, options, windowWritten, progress, cancellationToken, out _);

    internal static long Run(SentenceEncoder encoder, IEnumerable<BatchRow> rows, EmbeddingWriter writer, BatchOptions? options,
        Action<long>? windowWritten, IProgress<long>? progress, CancellationToken cancellationToken, out long written)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        options ??= new BatchOptions();
        options.Validate();
        var encode = Copy(options.Encode);
        TextChunker? chunker = null;
        if (options.ChunkTokens is int tokens)
        {
            int fits = TextChunker.MaxTokensFor(encoder, encode);
            if (tokens > fits)
                throw new ConfigurationException(nameof(BatchOptions.ChunkTokens), $"must be at most {fits} for this model (its limit of {encoder.EffectiveMaxLength(encode.MaxLength)} tokens less special tokens and prompt), found {tokens}.");
            chunker = TextChunker.For(encoder, tokens, options.ChunkOverlap);
        }
        return Run((texts, report) => { encode.Progress = report; return encoder.Encode(texts, encode, cancellationToken); },
            chunker, rows, writer, options, windowWritten, progress, cancellationToken, out written);
    }

    internal static long Run(Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> generator, IEnumerable<BatchRow> rows,
        EmbeddingWriter writer, BatchOptions? options, Action<long>? windowWritten, IProgress<long>? progress, CancellationToken cancellationToken, out long written)
    {
        ArgumentNullException.ThrowIfNull(generator);
        options ??= new BatchOptions();
        options.Validate();
        if (options.ChunkTokens is not null)
            throw new ConfigurationException(nameof(BatchOptions.ChunkTokens), "needs the model's tokenizer; a remote model embeds each text whole.");
        var embed = EmbeddingFunctions.FromGenerator(generator, options.Encode, cancellationToken);
        return Run((texts, _) => embed(texts), null, rows, writer, options, windowWritten, progress, cancellationToken, out written);
    }

    /// <summary>The loop: window, (chunk,) embed, write. Returns the input rows encoded; <paramref name="written"/> the output rows.</summary>
    static long Run(Func<IReadOnlyList<string>, IProgress<int>?, float[][]> embed, TextChunker? chunker, IEnumerable<BatchRow> rows,
        EmbeddingWriter writer, BatchOptions options, Action<long>? windowWritten, IProgress<long>? progress, CancellationToken cancellationToken, out long written)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(writer);
        var window = new List<BatchRow>(options.WindowSize);
        var pieces = new List<BatchRow>();
        var texts = new List<string>(options.WindowSize);
        long owned = 0, done = options.SkipRows, encoded = 0, output = 0;
        void Flush()
        {
            texts.Clear();
            var outRows = window;
            if (chunker is null) foreach (var r in window) texts.Add(r.Text);
            else
            {
                pieces.Clear();
                foreach (var r in window)
                    foreach (var c in chunker.Split(r.Text)) { pieces.Add(r with { Text = c.Text, Chunk = c }); texts.Add(c.Text); }
                outRows = pieces;
            }
            long before = done;
            // Progress inside a window counts texts; with chunking those are chunks, so only whole windows are reported.
            var report = progress is null || chunker is not null ? null : new Reporter(n => progress.Report(before + n));
            var vectors = embed(texts, report);
            writer.WriteWindow(outRows, vectors);
            done += window.Count; encoded += window.Count; output += outRows.Count;
            window.Clear();
            windowWritten?.Invoke(done);
            progress?.Report(done);
        }
        foreach (var row in rows)
        {
            if (!options.Shard.Owns(row.Index)) continue;
            if (owned++ < options.SkipRows) continue;
            window.Add(row);
            if (window.Count == options.WindowSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Flush();
            }
        }
        if (owned < options.SkipRows)
            throw new ConfigurationException(nameof(options.SkipRows), $"the output holds {options.SkipRows} rows of this shard, the input only {owned}; is it the same input?");
        if (window.Count > 0) Flush();
        written = output;
        return encoded;
    }

    /// <summary>Per-dimension ranges of the first <paramref name="count"/> rows' vectors (all rows, not one shard's), for int8/uint8.</summary>
    public static QuantizationRanges Calibrate(SentenceEncoder encoder, IEnumerable<BatchRow> rows, int count, EncodeOptions? encode = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        var texts = rows.Take(count).Select(r => r.Text).ToList();
        if (texts.Count == 0) throw new ConfigurationException("calibration", "the input has no rows to calibrate int8/uint8 ranges on; give a calibration file.");
        var options = Copy(encode ?? new EncodeOptions());
        options.Progress = null;
        return QuantizationRanges.FromEmbeddings(encoder.Encode(texts, options, cancellationToken));
    }

    /// <summary>Per-dimension ranges of the first <paramref name="count"/> rows' vectors from any embedding generator.</summary>
    public static QuantizationRanges Calibrate(Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> generator, IEnumerable<BatchRow> rows, int count,
        EncodeOptions? encode = null, CancellationToken cancellationToken = default)
    {
        var texts = rows.Take(count).Select(r => r.Text).ToList();
        if (texts.Count == 0) throw new ConfigurationException("calibration", "the input has no rows to calibrate int8/uint8 ranges on; give a calibration file.");
        return QuantizationRanges.FromEmbeddings(EmbeddingFunctions.FromGenerator(generator, encode, cancellationToken)(texts));
    }

    static EncodeOptions Copy(EncodeOptions o) => new()
    {
        PromptName = o.PromptName, Prompt = o.Prompt, BatchSize = o.BatchSize, Normalize = o.Normalize, Dimensions = o.Dimensions, MaxLength = o.MaxLength, Pooling = o.Pooling,
    };

    sealed class Reporter(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
