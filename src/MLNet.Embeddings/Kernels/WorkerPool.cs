using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace MLNet.Embeddings.Kernels;

/// <summary>
/// The kernels' parallel loop: <c>body(i)</c> for <c>i</c> in [0, count) on the calling thread and up to
/// <c>threads − 1</c> dedicated workers that spin briefly between jobs before they sleep. A transformer forward is a
/// chain of some fifty parallel regions of a few milliseconds each; a worker that is still spinning picks the next
/// region up at once, where a thread-pool worker (what <see cref="Parallel.For(int, int, Action{int})"/> uses) has
/// often gone to sleep and must be woken (the spinning policy of ONNX Runtime's and OpenMP's pools).
/// </summary>
/// <remarks>
/// One job runs at a time: a caller that finds the pool busy (another thread's forward), or that is itself running
/// inside a job, falls back to <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/>. Each job has its
/// own counters, so a worker still leaving an old job can never take an item of the next one. The first exception
/// of a body is rethrown on the caller after every item has finished or been skipped.
/// </remarks>
internal static class WorkerPool
{
    static readonly long SpinTicks = Stopwatch.Frequency / 5000; // ≈ 200 µs of spinning before a worker sleeps

    static readonly object s_startLock = new();
    static Worker[] s_workers = [];
    static int s_busy;
    [ThreadStatic] static bool t_inJob;
    static Job? s_job;            // published before the generation is bumped
    static long s_generation;

    sealed class Job
    {
        public required Action<int> Body;
        public required int Count;
        public int Next, Pending, Seats;
        public Exception? Error;
    }

    sealed class Worker
    {
        public readonly SemaphoreSlim Wake = new(0);
        public int Sleeping;
    }

    /// <summary>Runs <paramref name="body"/> for every index in [0, <paramref name="count"/>), on up to <paramref name="threads"/> threads.</summary>
    public static void For(int count, int threads, Action<int> body)
    {
        if (count <= 0) return;
        threads = Math.Min(threads, count);
        if (threads <= 1) { for (int i = 0; i < count; i++) body(i); return; }
        if (t_inJob || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            Parallel.For(0, count, Sgemm.Options(threads), body);
            return;
        }
        try
        {
            var workers = EnsureWorkers(threads - 1);
            var job = new Job { Body = body, Count = count, Pending = count, Seats = threads - 1 };
            Volatile.Write(ref s_job, job);
            Interlocked.Increment(ref s_generation);
            foreach (var w in workers)
                if (Interlocked.Exchange(ref w.Sleeping, 0) == 1) w.Wake.Release();
            t_inJob = true;
            try { RunItems(job); }
            finally { t_inJob = false; }
            var spin = new SpinWait();
            while (Volatile.Read(ref job.Pending) > 0) spin.SpinOnce(-1);
            Volatile.Write(ref s_job, null); // let the body's captures go
            if (job.Error is { } e) ExceptionDispatchInfo.Throw(e);
        }
        finally { Volatile.Write(ref s_busy, 0); }
    }

    static void RunItems(Job job)
    {
        int i;
        while ((i = Interlocked.Increment(ref job.Next) - 1) < job.Count)
        {
            try { if (Volatile.Read(ref job.Error) is null) job.Body(i); }
            catch (Exception e) { Interlocked.CompareExchange(ref job.Error, e, null); }
            finally { Interlocked.Decrement(ref job.Pending); }
        }
    }

    static Worker[] EnsureWorkers(int n)
    {
        var current = Volatile.Read(ref s_workers);
        if (current.Length >= n) return current;
        lock (s_startLock)
        {
            if (s_workers.Length >= n) return s_workers;
            var grown = new Worker[n];
            Array.Copy(s_workers, grown, s_workers.Length);
            for (int k = s_workers.Length; k < n; k++)
            {
                var w = grown[k] = new Worker();
                new Thread(() => Loop(w)) { IsBackground = true, Name = "MLNet.Embeddings kernel worker" }.Start();
            }
            Volatile.Write(ref s_workers, grown);
            return grown;
        }
    }

    static void Loop(Worker w)
    {
        long seen = Volatile.Read(ref s_generation);
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref s_generation) == seen)
            {
                if (Stopwatch.GetTimestamp() - start < SpinTicks) { Thread.SpinWait(20); continue; }
                // Sleep: announce it, re-check (a job may have been published meanwhile), then wait to be woken.
                Volatile.Write(ref w.Sleeping, 1);
                if (Volatile.Read(ref s_generation) != seen)
                {
                    if (Interlocked.Exchange(ref w.Sleeping, 0) == 0) w.Wake.Wait(); // already released: consume it
                    break;
                }
                w.Wake.Wait();
                start = Stopwatch.GetTimestamp();
            }
            seen = Volatile.Read(ref s_generation);
            var job = Volatile.Read(ref s_job);
            // Only threads − 1 workers take part in a job; the others go back to waiting.
            if (job is null || Interlocked.Decrement(ref job.Seats) < 0) continue;
            t_inJob = true;
            try { RunItems(job); }
            finally { t_inJob = false; }
        }
    }
}
