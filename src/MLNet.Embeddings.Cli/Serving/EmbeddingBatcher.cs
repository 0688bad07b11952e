namespace MLNet.Embeddings.Cli.Serving;

/// <summary>
/// Coalesces concurrent requests into one <see cref="SentenceEncoder.Encode(IReadOnlyList{string}, EncodeOptions?, CancellationToken)"/>
/// call per group of equal options, so the encoder batches texts by length across requests instead of running
/// the model once per request (or once per text). One worker runs the model; requests wait on a task
/// (<see cref="RequestBatcher{TItem, TKey, TResult}"/>).
/// </summary>
internal sealed class EmbeddingBatcher : IAsyncDisposable
{
    /// <summary>The options that must be equal for requests to share a forward pass.</summary>
    internal readonly record struct EncodeKey(string? Prompt, int? Dimensions, bool? Normalize);

    readonly RequestBatcher<string, EncodeKey, float[]> _batcher;

    /// <param name="model">The encoder all requests share.</param>
    /// <param name="maxTextsPerPass">Texts gathered before a pass starts (a larger request still runs whole).</param>
    /// <param name="onPass">Told the number of texts of each forward pass (the service's batch-size metric).</param>
    public EmbeddingBatcher(SentenceEncoder model, int maxTextsPerPass = 256, Action<int>? onPass = null)
        => _batcher = new RequestBatcher<string, EncodeKey, float[]>(
            (texts, key) => model.Encode(texts, new EncodeOptions { Prompt = key.Prompt, Dimensions = key.Dimensions, Normalize = key.Normalize }),
            maxTextsPerPass, onPass);

    /// <summary>Queues texts and returns their vectors in input order.</summary>
    public Task<float[][]> EncodeAsync(string[] texts, EncodeKey key, CancellationToken cancellationToken)
        => _batcher.SubmitAsync(texts, key, cancellationToken);

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();
}
