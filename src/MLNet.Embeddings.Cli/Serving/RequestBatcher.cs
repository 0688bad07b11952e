using System.Threading.Channels;

namespace MLNet.Embeddings.Cli.Serving;

/// <summary>
/// Coalesces concurrent requests into one model call per group of equal keys: each request queues its items, one worker
/// drains the queue (up to <c>maxItemsPerPass</c> items), runs the model once per key on all the items it found, and
/// routes each request's slice of the results back to it. The service's embeddings (<see cref="EmbeddingBatcher"/>)
/// and rerank endpoints share this; the model call batches the items by length across requests.
/// </summary>
/// <typeparam name="TItem">One input (a text, a query–document pair).</typeparam>
/// <typeparam name="TKey">The request options that must be equal for requests to share a model call.</typeparam>
/// <typeparam name="TResult">One output per input, in input order.</typeparam>
internal sealed class RequestBatcher<TItem, TKey, TResult> : IAsyncDisposable where TKey : notnull
{
    sealed record Pending(TItem[] Items, TKey Key, TaskCompletionSource<TResult[]> Done, CancellationToken Cancel);

    readonly Func<TItem[], TKey, TResult[]> _run;
    readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    readonly Task _worker;
    readonly int _maxItems;
    readonly Action<int>? _onPass;

    /// <param name="run">The model call: all items of a pass with their shared key → one result per item, in order.</param>
    /// <param name="maxItemsPerPass">Items gathered before a pass starts (a larger request still runs whole).</param>
    /// <param name="onPass">Told the number of items of each model call (the service's batch-size metrics).</param>
    public RequestBatcher(Func<TItem[], TKey, TResult[]> run, int maxItemsPerPass = 256, Action<int>? onPass = null)
    {
        _run = run; _maxItems = maxItemsPerPass; _onPass = onPass;
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>Queues <paramref name="items"/> and returns their results in input order.</summary>
    public Task<TResult[]> SubmitAsync(TItem[] items, TKey key, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<TResult[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(items, key, done, cancellationToken)))
            done.SetException(new ObjectDisposedException(nameof(RequestBatcher<TItem, TKey, TResult>)));
        return done.Task;
    }

    async Task WorkAsync()
    {
        var batch = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            int items = 0;
            while (items < _maxItems && _queue.Reader.TryRead(out var p))
            {
                if (p.Cancel.IsCancellationRequested) { p.Done.TrySetCanceled(p.Cancel); continue; }
                batch.Add(p); items += p.Items.Length;
            }
            foreach (var group in batch.GroupBy(p => p.Key)) Run(group.Key, group.ToList());
        }
    }

    void Run(TKey key, List<Pending> requests)
    {
        try
        {
            var all = requests.SelectMany(r => r.Items).ToArray();
            _onPass?.Invoke(all.Length);
            var results = _run(all, key);
            if (results.Length != all.Length) throw new InvalidOperationException($"the model returned {results.Length} results for {all.Length} inputs");
            int at = 0;
            foreach (var r in requests)
            {
                r.Done.TrySetResult(results[at..(at + r.Items.Length)]);
                at += r.Items.Length;
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
