namespace MLNet.Embeddings.Training.Data.Generation;

/// <summary>What <see cref="DataGenerator"/> asks the language model to write.</summary>
public enum GenerationTask
{
    /// <summary>Search queries for each passage; each becomes a row with the passage as <c>pos</c>.</summary>
    Queries,
    /// <summary>Rewrites of each row's query; each becomes an extra row with the same <c>pos</c> and <c>neg</c>.</summary>
    Paraphrases,
    /// <summary>On-topic passages that do not answer each row's query; appended to the row's <c>neg</c>.</summary>
    Negatives,
}
