namespace MLNet.Embeddings.Data;

/// <summary>
/// A file written through a temporary file in the same folder and moved over the target on <see cref="Commit"/>;
/// disposing without committing deletes the temporary file, so a failed write never leaves a half-written target.
/// </summary>
internal sealed class AtomicFile : IDisposable
{
    private readonly string _target;
    private readonly string _temp;
    private bool _done;

    public AtomicFile(string path)
    {
        _target = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(_target)!;
        Directory.CreateDirectory(dir);
        _temp = Path.Combine(dir, $".{Path.GetFileName(_target)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        Stream = new FileStream(_temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        Writer = new StreamWriter(Stream, new System.Text.UTF8Encoding(false), 1 << 16);
    }

    /// <summary>The temporary file's stream.</summary>
    public FileStream Stream { get; }
    /// <summary>UTF-8 (no BOM) text writer over <see cref="Stream"/>.</summary>
    public StreamWriter Writer { get; }

    /// <summary>Flushes and moves the temporary file over the target.</summary>
    public void Commit()
    {
        if (_done) return;
        Writer.Flush();
        Stream.Flush(flushToDisk: true);
        Writer.Dispose();
        File.Move(_temp, _target, overwrite: true);
        _done = true;
    }

    public void Dispose()
    {
        if (_done) return;
        _done = true;
        try { Writer.Dispose(); } catch (IOException) { }
        try { File.Delete(_temp); } catch (IOException) { }
    }

    /// <summary>Writes all text atomically.</summary>
    public static void WriteAllText(string path, string text)
    {
        using var f = new AtomicFile(path);
        f.Writer.Write(text);
        f.Commit();
    }
}
