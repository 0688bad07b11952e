using System.Threading.Channels;

namespace MLNet.Embeddings.Cli.Serving;

/// <summary>
/// Coalesces concurrent requests into one <see cref="SentenceEncoder.Encode(IReadOnlyList{string}, EncodeOptions?, CancellationToken)"/>
/// call per group of equal options, so the encoder batches texts by length across requests instead of running
/// the model once per request (or once per text). One worker runs the model; requests wait on a task.
/// </summary>
internal sealed class EmbeddingBatcher : IAsyncDisposable
{
    sealed record Pending(string[] Texts, EncodeKey Key, TaskCompletionSource<float[][]> Done, CancellationToken Cancel);

    /// <summary>The options that must be equal for requests to share a forward pass.</summary>
    internal readonly record struct EncodeKey(string? Prompt, int? Dimensions, bool? Normalize);

    readonly SentenceEncoder _model;
    readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    readonly Task _worker;
    readonly int _maxTexts;
    readonly Action<int>? _onPass;

    /// <param name="model">The encoder all requests share.</param>
    /// <param name="maxTextsPerPass">Texts gathered before a pass starts (a larger request still runs whole).</param>
    /// <param name="onPass">Told the number of texts of each forward pass (the service's batch-size metric).</param>
    public EmbeddingBatcher(SentenceEncoder model, int maxTextsPerPass = 256, Action<int>? onPass = null)
    {
        _model = model; _maxTexts = maxTextsPerPass; _onPass = onPass;
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>Queues texts and returns their vectors in input order.</summary>
    public Task<float[][]> EncodeAsync(string[] texts, EncodeKey key, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<float[][]>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(texts, key, done, cancellationToken)))
            done.SetException(new ObjectDisposedException(nameof(EmbeddingBatcher)));
        return done.Task;
    }

    async Task WorkAsync()
    {
        var batch = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            int texts = 0;
            while (texts < _maxTexts && _queue.Reader.TryRead(out var p))
            {
                if (p.Cancel.IsCancellationRequested) { p.Done.TrySetCanceled(p.Cancel); continue; }
                batch.Add(p); texts += p.Texts.Length;
            }
            foreach (var group in batch.GroupBy(p => p.Key)) Run(group.Key, group.ToList());
        }
    }

    void Run(EncodeKey key, List<Pending> requests)
    {
        try
        {
            var all = requests.SelectMany(r => r.Texts).ToArray();
            var options = new EncodeOptions { Prompt = key.Prompt, Dimensions = key.Dimensions, Normalize = key.Normalize };
            _onPass?.Invoke(all.Length);
            var vectors = _model.Encode(all, options);
            int at = 0;
            foreach (var r in requests)
            {
                r.Done.TrySetResult(vectors[at..(at + r.Texts.Length)]);
                at += r.Texts.Length;
            }
        }
        catch (Exception ex)
        {
            foreach (var r in requests) r.Done.TrySetException(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
    }
}
