using System.Diagnostics;

namespace MLNet.Embeddings.Cli.Tests.Batch;

/// <summary>Starts the built <c>mlnet-embed.dll</c> (copied beside the tests) as a separate process, for tests that
/// kill it or run several at once.</summary>
internal sealed class CliProcess : IDisposable
{
    readonly Task<string> _stdout, _stderr;

    CliProcess(Process process)
    {
        Process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public Process Process { get; }

    public static CliProcess Start(params string[] args)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "mlnet-embed.dll");
        Assert.True(File.Exists(cli), cli);
        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(cli);
        foreach (var a in args) start.ArgumentList.Add(a);
        return new CliProcess(Process.Start(start)!);
    }

    /// <summary>Waits for the exit (at most <paramref name="seconds"/>) and returns the exit code and stderr.</summary>
    public async Task<(int Code, string Err)> WaitAsync(int seconds = 120)
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds)))
            await Process.WaitForExitAsync(timeout.Token);
        await _stdout;
        return (Process.ExitCode, await _stderr);
    }

    /// <summary>SIGKILL (on Linux and macOS; TerminateProcess on Windows): no handler runs, no buffer is flushed.</summary>
    public async Task KillAsync()
    {
        try { Process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } // already gone
        await Process.WaitForExitAsync();
    }

    public void Dispose()
    {
        if (!Process.HasExited) try { Process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        Process.Dispose();
    }
}
