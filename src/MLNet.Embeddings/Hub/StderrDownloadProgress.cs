using System.Diagnostics;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Hub;

/// <summary>The default download progress: one line on stderr when a file starts, every few seconds, and when it ends.</summary>
internal sealed class StderrDownloadProgress : IProgress<ModelDownloadProgress>
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    string? _file;
    TimeSpan _last;

    public void Report(ModelDownloadProgress value)
    {
        bool done = value.BytesTotal is long t && value.BytesDone >= t;
        bool start = value.File != _file;
        if (!start && !done && _clock.Elapsed - _last < TimeSpan.FromSeconds(3)) return;
        _file = value.File; _last = _clock.Elapsed;
        string total = value.BytesTotal is long n ? $" of {Mb(n)}" : "";
        Console.Error.WriteLine($"{value.Model}: {value.File} {Mb(value.BytesDone)}{total}{(done ? " done" : "")}");
    }

    static string Mb(long bytes) => bytes < 1 << 20 ? $"{bytes / 1024.0:F1} KB" : $"{bytes / (double)(1 << 20):F1} MB";
}
