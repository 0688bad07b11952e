namespace MLNet.Embeddings.Training.Batch;

/// <summary>One input row of a batch job: its 0-based position in the whole input, its id (from the id column, or null) and its text.</summary>
/// <param name="Index">0-based row index in the whole input (shards keep the global index).</param>
/// <param name="Id">The id column's value as text, or null when no id column was named.</param>
/// <param name="Text">The text to embed.</param>
public readonly record struct BatchRow(long Index, string? Id, string Text)
{
    /// <summary>With chunking (<see cref="BatchOptions.ChunkTokens"/>): which window of the row's text <see cref="Text"/> is; null otherwise.</summary>
    public MLNet.Embeddings.Chunking.TextChunk? Chunk { get; init; }
}
