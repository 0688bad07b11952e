namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>Measures a model; the trainer calls it every N steps (early stopping, best-model selection).</summary>
public interface IEvaluator
{
    /// <summary>Short name, used as a prefix in logs.</summary>
    string Name { get; }
    /// <summary>The metric that "better" refers to (e.g. "ndcg@10", "spearman").</summary>
    string PrimaryMetric { get; }
    /// <summary>Computes metrics (higher is better for the primary one).</summary>
    IReadOnlyDictionary<string, double> Evaluate(SentenceEncoder model, CancellationToken cancellationToken = default);
}
