namespace MLNet.Embeddings.Training.Batch;

/// <summary>What a batch job did.</summary>
public sealed record BatchSummary
{
    /// <summary>Rows encoded and written by this run.</summary>
    public long Rows { get; init; }

    /// <summary>Rows found already written by an interrupted run and kept (resume).</summary>
    public long ResumedRows { get; init; }

    /// <summary>True when <c>Resume</c> found the output already complete and did nothing.</summary>
    public bool AlreadyComplete { get; init; }

    /// <summary>The calibration file used or written (int8/uint8), or null.</summary>
    public string? CalibrationFile { get; init; }

    /// <summary>Rows written by this run: <see cref="Rows"/>, or the chunks of those rows with <see cref="BatchOptions.ChunkTokens"/>.</summary>
    public long OutputRows { get; init; }

    /// <summary>Texts (chunks, with chunking) longer than the model's token limit and cut at it; 0 for a remote model, which does not say.</summary>
    public long TruncatedTexts { get; init; }

    /// <summary>All rows of this shard in the output.</summary>
    public long TotalRows => Rows + ResumedRows;
}
