namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// An evaluator that can also run on any embedding function (a test double, another backend, cached vectors):
/// the function receives texts and returns one vector per text, in order.
/// </summary>
public interface IEmbeddingEvaluator : IEvaluator
{
    /// <summary>Computes the metrics with <paramref name="embed"/> in place of a <see cref="SentenceEncoder"/>.</summary>
    IReadOnlyDictionary<string, double> Evaluate(Func<IReadOnlyList<string>, float[][]> embed, CancellationToken cancellationToken = default);
}
