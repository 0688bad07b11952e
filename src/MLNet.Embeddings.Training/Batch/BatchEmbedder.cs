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
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(writer);
        options ??= new BatchOptions();
        options.Validate();
        var encode = Copy(options.Encode);
        var window = new List<BatchRow>(options.WindowSize);
        var texts = new List<string>(options.WindowSize);
        long owned = 0, done = options.SkipRows, encoded = 0;
        void Flush()
        {
            texts.Clear();
            foreach (var r in window) texts.Add(r.Text);
            long before = done;
            encode.Progress = progress is null ? null : new Reporter(n => progress.Report(before + n));
            var vectors = encoder.Encode(texts, encode, cancellationToken);
            writer.WriteWindow(window, vectors);
            done += window.Count; encoded += window.Count;
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

    static EncodeOptions Copy(EncodeOptions o) => new()
    {
        PromptName = o.PromptName, Prompt = o.Prompt, BatchSize = o.BatchSize, Normalize = o.Normalize, Dimensions = o.Dimensions, MaxLength = o.MaxLength, Pooling = o.Pooling,
    };

    sealed class Reporter(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
