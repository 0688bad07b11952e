namespace MLNet.Embeddings.ML.Tests;

/// <summary>Counts what a <see cref="StageState"/> (embedding or relevance) reports through its test seam.</summary>
internal sealed class StateCounter : IEmbeddingStateObserver
{
    int _encodeCalls, _savedTextBuilds, _savedLookupBuilds;
    public int EncodeCalls => Volatile.Read(ref _encodeCalls);
    public int SavedTextBuilds => Volatile.Read(ref _savedTextBuilds);
    public int SavedLookupBuilds => Volatile.Read(ref _savedLookupBuilds);
    public void Encoded() => Interlocked.Increment(ref _encodeCalls);
    public void SavedTextBuilt() => Interlocked.Increment(ref _savedTextBuilds);
    public void SavedLookupBuilt() => Interlocked.Increment(ref _savedLookupBuilds);

    /// <summary>Attaches a new counter to <paramref name="state"/>.</summary>
    public static StateCounter On(StageState state)
    {
        var c = new StateCounter();
        state.Observer = c;
        return c;
    }
}
