namespace MLNet.Embeddings;

/// <summary>
/// Running counts of what a <see cref="SentenceEncoder"/> encoded since it was loaded: texts, and texts longer than the
/// token limit (cut at the end, as sentence-transformers does). Thread-safe; read <see cref="Texts"/> and
/// <see cref="TruncatedTexts"/> before and after a run to count that run.
/// </summary>
public sealed class EncodeStatistics
{
    long _texts, _truncated;

    /// <summary>Texts encoded.</summary>
    public long Texts => Interlocked.Read(ref _texts);

    /// <summary>Texts whose tokens (prompt and special tokens included) did not fit the token limit and were cut.</summary>
    public long TruncatedTexts => Interlocked.Read(ref _truncated);

    internal void Add(long texts, long truncated)
    {
        Interlocked.Add(ref _texts, texts);
        Interlocked.Add(ref _truncated, truncated);
    }
}
