namespace MLNet.Embeddings.ML;

/// <summary>Test seam of <see cref="EmbeddingState"/>: tests count model runs and builds of the saved form with it.</summary>
internal interface IEmbeddingStateObserver
{
    /// <summary>One call of the model (a batch or one row).</summary>
    void Encoded();
    /// <summary>The saved state text was built.</summary>
    void SavedTextBuilt();
    /// <summary>The saved chain's lookup stage was made.</summary>
    void SavedLookupBuilt();
}
