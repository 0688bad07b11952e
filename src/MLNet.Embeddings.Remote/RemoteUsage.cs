namespace MLNet.Embeddings.Remote;

/// <summary>What a <see cref="RemoteEmbeddingGenerator"/> has spent so far: requests, retries, waiting and tokens. Thread-safe.</summary>
public sealed class RemoteUsage
{
    long _texts, _requests, _retries, _tokens, _waitedTicks;

    /// <summary>Texts embedded.</summary>
    public long Texts => Interlocked.Read(ref _texts);

    /// <summary>HTTP attempts sent, retries included.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Attempts that were repeated (429, 5xx, timeout, broken connection).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Input tokens the server reported (<c>usage.prompt_tokens</c>).</summary>
    public long InputTokens => Interlocked.Read(ref _tokens);

    /// <summary>Time spent waiting before retries.</summary>
    public TimeSpan Waited => TimeSpan.FromTicks(Interlocked.Read(ref _waitedTicks));

    /// <summary>One line for a command's summary.</summary>
    public override string ToString() =>
        $"{Texts} texts, {InputTokens} input tokens, {Requests} requests, {Retries} retries ({Waited.TotalSeconds:0.0} s waited)";

    internal void AddRequest() => Interlocked.Increment(ref _requests);
    internal void AddRetry(TimeSpan wait) { Interlocked.Increment(ref _retries); Interlocked.Add(ref _waitedTicks, wait.Ticks); }
    internal void AddTexts(long texts, long? tokens) { Interlocked.Add(ref _texts, texts); if (tokens is long t) Interlocked.Add(ref _tokens, t); }
}
