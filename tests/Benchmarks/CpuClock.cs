using System.Runtime.InteropServices;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>
/// Process CPU time (clock_gettime CLOCK_PROCESS_CPUTIME_ID). On a shared, oversubscribed machine wall time
/// mostly measures the neighbours; work per CPU-second is the steadier figure for comparing two implementations.
/// </summary>
static class CpuClock
{
    [StructLayout(LayoutKind.Sequential)]
    struct Timespec { public long Sec, Nsec; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    static extern int ClockGetTime(int clock, out Timespec ts);

    /// <summary>Seconds of CPU used by this process so far (falls back to TotalProcessorTime off Linux).</summary>
    public static double Seconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(2, out var ts) == 0) return ts.Sec + ts.Nsec * 1e-9;
        return System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
    }
}
