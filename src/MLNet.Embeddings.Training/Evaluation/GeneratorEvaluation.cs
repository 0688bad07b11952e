using Microsoft.Extensions.AI;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>Runs an evaluator on any <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> (a remote API as a baseline, say).</summary>
public static class GeneratorEvaluation
{
    /// <summary>
    /// The evaluator's metrics with <paramref name="generator"/> embedding every text (queries and documents alike: a
    /// generator has no named prompts).
    /// </summary>
    public static IReadOnlyDictionary<string, double> Evaluate(this IEmbeddingEvaluator evaluator, IEmbeddingGenerator<string, Embedding<float>> generator,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        return evaluator.Evaluate(EmbeddingFunctions.FromGenerator(generator, null, cancellationToken), cancellationToken);
    }
}
