using System.Diagnostics.Tracing;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>Counts the runtime's GC allocation ticks (about one per 100 kB allocated) by type, for the large-object heap and the rest.</summary>
sealed class LargeAllocationListener : EventListener
{
    readonly Dictionary<string, long> _large = new(), _small = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null) return;
        int kind = Convert.ToInt32(e.Payload[e.PayloadNames!.IndexOf("AllocationKind")]);
        string type = e.PayloadNames.IndexOf("TypeName") is int t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
        var into = kind == 1 ? _large : _small;
        lock (into) into[type] = into.GetValueOrDefault(type) + 1;
    }

    public string Report()
    {
        static string Top(Dictionary<string, long> d) { lock (d) return string.Join(", ", d.OrderByDescending(p => p.Value).Take(8).Select(p => $"{p.Key} {p.Value}")); }
        return $"alloc ticks large: {Top(_large)}\nalloc ticks small: {Top(_small)}";
    }
}
