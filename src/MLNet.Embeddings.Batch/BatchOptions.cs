using MLNet.Embeddings.Quantization;

namespace MLNet.Embeddings.Training.Batch;

/// <summary>Options of <see cref="BatchEmbedder"/>: window size, shard, precision and the encoder's own options.</summary>
public sealed class BatchOptions
{
    /// <summary>Rows read, encoded and written together. Memory is bounded by one window (texts, vectors, output bytes),
    /// whatever the input size. Default 4096.</summary>
    public int WindowSize { get; set; } = 4096;

    /// <summary>The encoder's options (prompt, batch size, length, dimensions, normalisation). Its Progress is not used.</summary>
    public EncodeOptions Encode { get; set; } = new();

    /// <summary>The share of the input this job processes. Default: all rows.</summary>
    public ShardSpec Shard { get; set; } = ShardSpec.All;

    /// <summary>Rows of this shard already written by an earlier run (resume): they are read and skipped, not encoded.</summary>
    public long SkipRows { get; set; }

    /// <summary>How vectors are stored. Default float32.</summary>
    public EmbeddingPrecision Precision { get; set; } = EmbeddingPrecision.Float32;

    /// <summary>Calibration ranges for int8/uint8; null makes <see cref="BatchJob"/> compute them from the first
    /// <see cref="CalibrationRows"/> rows of the input.</summary>
    public QuantizationRanges? Ranges { get; set; }

    /// <summary>Rows of the input (all shards', so every shard gets the same ranges) embedded to calibrate int8/uint8. Default 10,000.</summary>
    public int CalibrationRows { get; set; } = 10_000;

    /// <summary>Split each text into windows of at most this many tokens on word boundaries and write one row per
    /// window (<see cref="MLNet.Embeddings.Chunking.TextChunker"/>); null embeds each text whole (cut at the model's limit).</summary>
    public int? ChunkTokens { get; set; }

    /// <summary>With <see cref="ChunkTokens"/>: most tokens shared by consecutive windows of a text. Default 0.</summary>
    public int ChunkOverlap { get; set; }

    internal void Validate()
    {
        if (ChunkTokens is < 1) throw new ConfigurationException(nameof(ChunkTokens), $"must be at least 1, found {ChunkTokens}.");
        if (ChunkTokens is null && ChunkOverlap != 0) throw new ConfigurationException(nameof(ChunkOverlap), "only applies with ChunkTokens.");
        if (WindowSize < 1) throw new ConfigurationException(nameof(WindowSize), $"must be at least 1, found {WindowSize}.");
        if (CalibrationRows < 1) throw new ConfigurationException(nameof(CalibrationRows), $"must be at least 1, found {CalibrationRows}.");
        if (SkipRows < 0) throw new ConfigurationException(nameof(SkipRows), $"must be 0 or more, found {SkipRows}.");
    }
}
