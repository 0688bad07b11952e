namespace MLNet.Embeddings.Cli.Commands;

/// <summary>A percentage on stderr, shown only for long inputs; stdout stays machine-readable. On a terminal one line
/// is rewritten (<c>\r</c>); with stderr redirected a plain line is written at 0, 25, 50, 75 and 100 % (see <see cref="StatusLine"/>).</summary>
internal sealed class ProgressLine : IDisposable
{
    const int MinimumItems = 1000;
    readonly int _total;
    readonly string _label;
    readonly StatusLine _line;
    int _lastPercent = -1, _lastQuarter = -1;

    internal ProgressLine(int total, string label, StatusLine line) { _total = total; _label = label; _line = line; }

    /// <summary>A progress line for <paramref name="total"/> items, or null when the input is short.</summary>
    public static ProgressLine? For(int total, string label) => total >= MinimumItems ? new ProgressLine(total, label, StatusLine.ForStderr()) : null;

    public void Report(int done)
    {
        int percent = (int)(100L * done / _total);
        if (percent == _lastPercent) return;
        _lastPercent = percent;
        int quarter = percent / 25;
        bool milestone = quarter != _lastQuarter;
        _lastQuarter = quarter;
        _line.Update($"{_label} {percent,3}% ({done}/{_total})", milestone);
    }

    public void Dispose() => _line.End();
}

/// <summary>An <see cref="IProgress{T}"/> that runs its callback inline (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class InlineProgress(Action<int> report) : IProgress<int>
{
    public void Report(int value) => report(value);
}
