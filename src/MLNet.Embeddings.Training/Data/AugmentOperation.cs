namespace MLNet.Embeddings.Training.Data;

/// <summary>EDA operations (Wei and Zou, 2019) used by <see cref="DataAugmenter"/>.</summary>
public enum AugmentOperation
{
    /// <summary>Replace words that have synonyms in the thesaurus with one of them.</summary>
    Synonym,
    /// <summary>Insert a synonym of a random word (or, without one, a copy of a random word of the text) at a random position.</summary>
    Insert,
    /// <summary>Swap two random words.</summary>
    Swap,
    /// <summary>Delete each word with probability = rate (at least one word is kept).</summary>
    Delete,
}
