using System.Diagnostics;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// The progress output shared by the commands. On a terminal one line is rewritten in place (<c>\r</c>); when stderr
/// is redirected to a file or pipe, whole newline-terminated lines are written instead, and only at milestones or
/// when <see cref="Interval"/> has passed since the last one, so a log gets a handful of lines, not hundreds of updates.
/// </summary>
internal sealed class StatusLine
{
    /// <summary>Least time between two lines when redirected (milestones excepted).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    readonly TextWriter _writer;
    readonly bool _rewrite;
    readonly Stopwatch _sinceLine = new();
    string? _pending;      // redirected: the latest text not yet written
    bool _wroteAny;

    /// <param name="writer">Where to write (stderr).</param>
    /// <param name="rewrite">True on a terminal (rewrite one line with <c>\r</c>); false for a file or pipe.</param>
    public StatusLine(TextWriter writer, bool rewrite) { _writer = writer; _rewrite = rewrite; }

    /// <summary>A status line on stderr, rewriting in place unless stderr is redirected.</summary>
    public static StatusLine ForStderr() => new(Console.Error, rewrite: !Console.IsErrorRedirected);

    /// <summary>Shows <paramref name="text"/>; when redirected it is written only if <paramref name="milestone"/> or the interval has passed.</summary>
    public void Update(string text, bool milestone = false)
    {
        if (_rewrite) { _writer.Write("\r" + text); _wroteAny = true; return; }
        if (milestone || !_sinceLine.IsRunning || _sinceLine.Elapsed >= Interval) WriteLine(text);
        else _pending = text;
    }

    /// <summary>Ends the output: terminates the rewritten line, or writes the latest text not yet written.</summary>
    public void End()
    {
        if (_rewrite) { if (_wroteAny) _writer.WriteLine(); _wroteAny = false; return; }
        if (_pending is not null) WriteLine(_pending);
    }

    void WriteLine(string text)
    {
        _writer.WriteLine(text);
        _pending = null;
        _sinceLine.Restart();
    }
}
