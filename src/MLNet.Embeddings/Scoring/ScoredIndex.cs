namespace MLNet.Embeddings.Scoring;

/// <summary>A corpus row and its similarity to a query.</summary>
/// <param name="Index">Row of the corpus matrix.</param>
/// <param name="Score">Similarity (higher is more similar).</param>
public readonly record struct ScoredIndex(int Index, float Score);
