namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>Which evaluator a test file calls for (see <see cref="EvaluatorFactory"/>).</summary>
public enum EvaluationTask
{
    /// <summary>query + pos: <see cref="InformationRetrievalEvaluator"/>.</summary>
    Retrieval,
    /// <summary>sentence1 / sentence2 / score: <see cref="EmbeddingSimilarityEvaluator"/>.</summary>
    ScoredPairs,
    /// <summary>sentence1 / sentence2 / label (0/1): <see cref="BinaryClassificationEvaluator"/>.</summary>
    PairClassification,
    /// <summary>anchor / positive / negative: <see cref="TripletEvaluator"/>.</summary>
    Triplets,
}
