namespace MLNet.Embeddings.Training.Batch;

/// <summary>Options of <see cref="BatchJob"/>: files, columns, resume and the <see cref="BatchOptions"/> of the scoring itself.</summary>
public sealed class BatchJobOptions
{
    /// <summary>The input file (.txt, .jsonl, .csv, .tsv or .parquet).</summary>
    public required string Input { get; set; }

    /// <summary>The output file (.jsonl or .parquet).</summary>
    public required string Output { get; set; }

    /// <summary>Field or column holding the text; null: <c>text</c>.</summary>
    public string? TextColumn { get; set; }

    /// <summary>Field or column copied to each output row as <c>id</c>; null: no id.</summary>
    public string? IdColumn { get; set; }

    /// <summary>Continue an interrupted run's output from its last committed window instead of starting over (JSONL output).</summary>
    public bool Resume { get; set; }

    /// <summary>int8/uint8 calibration file: read when it exists, else computed and written there.
    /// Null: <c>OUTPUT.calibration.json</c>.</summary>
    public string? CalibrationFile { get; set; }

    /// <summary>Window, shard, precision and encoder options.</summary>
    public BatchOptions Batch { get; set; } = new();
}
