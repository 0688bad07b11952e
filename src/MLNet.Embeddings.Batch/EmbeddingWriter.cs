using MLNet.Embeddings.Quantization;

namespace MLNet.Embeddings.Training.Batch;

/// <summary>
/// Writes the vectors of a batch job, one window of rows at a time, in the order given. Each row carries its global
/// index, its id (when <see cref="IncludeId"/>) and its vector at <see cref="Precision"/>.
/// </summary>
public abstract class EmbeddingWriter : IDisposable
{
    /// <summary>Sets the representation of the vectors.</summary>
    protected EmbeddingWriter(EmbeddingPrecision precision, QuantizationRanges? ranges, bool includeId, bool includeChunks = false)
    {
        IncludeChunks = includeChunks;
        if (EmbeddingQuantizer.NeedsRanges(precision) && ranges is null)
            throw new ConfigurationException("precision", $"{EmbeddingQuantizer.Name(precision)} needs calibration ranges.");
        Precision = precision; Ranges = ranges; IncludeId = includeId;
    }

    /// <summary>How vectors are stored.</summary>
    public EmbeddingPrecision Precision { get; }

    /// <summary>The int8/uint8 calibration ranges, or null.</summary>
    public QuantizationRanges? Ranges { get; }

    /// <summary>Whether each row carries its id.</summary>
    public bool IncludeId { get; }

    /// <summary>Whether each row carries its chunk: <c>chunk</c> (number within the text), <c>char_start</c> and <c>char_end</c> (its span in the text).</summary>
    public bool IncludeChunks { get; }

    /// <summary>Writes one window; when it returns, the window has reached the underlying stream (and the disk, for a file).</summary>
    public abstract void WriteWindow(IReadOnlyList<BatchRow> rows, IReadOnlyList<float[]> vectors);

    /// <summary>Writes what the format needs at the end (Parquet's footer); called once after the last window.</summary>
    public virtual void Complete() { }

    /// <summary>Releases the stream.</summary>
    public void Dispose() { Dispose(true); GC.SuppressFinalize(this); }

    /// <summary>Releases resources.</summary>
    protected virtual void Dispose(bool disposing) { }

    /// <summary>Creates the writer for <paramref name="format"/> (JSONL or Parquet) over <paramref name="stream"/>.</summary>
    public static EmbeddingWriter Create(BatchFormat format, Stream stream, EmbeddingPrecision precision, QuantizationRanges? ranges, bool includeId, bool includeChunks = false) => format switch
    {
        BatchFormat.Jsonl => new JsonlEmbeddingWriter(stream, precision, ranges, includeId, includeChunks),
        BatchFormat.Parquet => new ParquetEmbeddingWriter(stream, precision, ranges, includeId, includeChunks),
        _ => throw new ConfigurationException("--output", $"embeddings are written as .jsonl or .parquet, not {format}."),
    };
}
