namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>Settings of <see cref="InformationRetrievalEvaluator"/>; defaults follow sentence-transformers where it has one.</summary>
public sealed class InformationRetrievalEvaluatorOptions
{
    /// <summary>Name used as a log prefix. Default "ir".</summary>
    public string Name { get; set; } = "ir";
    /// <summary>Cut-offs for every metric. Default 1, 3, 5, 10.</summary>
    public IReadOnlyList<int> Ks { get; set; } = new[] { 1, 3, 5, 10 };
    /// <summary>Prompt name for queries when evaluating a <see cref="SentenceEncoder"/> (e.g. "query"); null uses the model's default.</summary>
    public string? QueryPromptName { get; set; }
    /// <summary>Prompt name for corpus documents when evaluating a <see cref="SentenceEncoder"/>; null uses the model's default.</summary>
    public string? CorpusPromptName { get; set; }
    /// <summary>Texts per encoder call. Default 32.</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>
    /// Only for <see cref="InformationRetrievalEvaluator.FromExamples"/>: also put the rows' hard negatives into the
    /// corpus as distractors. Default false (the corpus is the positives of all rows).
    /// </summary>
    public bool IncludeNegativesInCorpus { get; set; }
}
