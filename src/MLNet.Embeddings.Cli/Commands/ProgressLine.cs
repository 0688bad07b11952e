namespace MLNet.Embeddings.Cli.Commands;

/// <summary>A one-line percentage on stderr (<c>\r</c>-rewritten), shown only for long inputs; stdout stays machine-readable.</summary>
internal sealed class ProgressLine : IDisposable
{
    const int MinimumItems = 1000;
    readonly int _total;
    readonly string _label;
    int _lastPercent = -1;

    ProgressLine(int total, string label) { _total = total; _label = label; }

    /// <summary>A progress line for <paramref name="total"/> items, or null when the input is short.</summary>
    public static ProgressLine? For(int total, string label) => total >= MinimumItems ? new ProgressLine(total, label) : null;

    public void Report(int done)
    {
        int percent = (int)(100L * done / _total);
        if (percent == _lastPercent) return;
        _lastPercent = percent;
        Console.Error.Write($"\r{_label} {percent,3}% ({done}/{_total})");
    }

    public void Dispose() { if (_lastPercent >= 0) Console.Error.WriteLine(); }
}

/// <summary>An <see cref="IProgress{T}"/> that runs its callback inline (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class InlineProgress(Action<int> report) : IProgress<int>
{
    public void Report(int value) => report(value);
}
