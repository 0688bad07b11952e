using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Scored pairs (e.g. STS benchmark): Pearson and Spearman correlation between the cosine similarity of each pair's
/// embeddings and its gold score (<c>pearson</c>, <c>spearman</c>), as sentence-transformers'
/// <c>EmbeddingSimilarityEvaluator</c> with cosine. The primary metric is <c>spearman</c>.
/// </summary>
public sealed class EmbeddingSimilarityEvaluator : IEmbeddingEvaluator
{
    private readonly SentencePairs<double> _pairs;

    /// <summary>Creates the evaluator from equally long lists of pairs and gold scores (any scale).</summary>
    public EmbeddingSimilarityEvaluator(IReadOnlyList<string> sentences1, IReadOnlyList<string> sentences2, IReadOnlyList<double> scores, string name = "sts")
    {
        _pairs = new SentencePairs<double>(sentences1, sentences2, scores, "scored");
        Name = name;
    }

    /// <summary>Builds the evaluator from rows with a <see cref="TrainingExample.Score"/>: (query, first positive, score).</summary>
    public static EmbeddingSimilarityEvaluator FromExamples(IEnumerable<TrainingExample> rows, string name = "sts")
    {
        var (s1, s2, scores) = SentencePairs<double>.FromExamples(rows, row => row.Score, "score for similarity evaluation");
        return new EmbeddingSimilarityEvaluator(s1, s2, scores, name);
    }

    /// <inheritdoc/>
    public string Name { get; }
    /// <inheritdoc/>
    public string PrimaryMetric => "spearman";
    /// <summary>Number of pairs.</summary>
    public int Count => _pairs.Values.Length;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(SentenceEncoder model, CancellationToken cancellationToken = default)
        => Evaluate(EmbeddingHelpers.FromModel(model, cancellationToken: cancellationToken), cancellationToken);

    /// <summary>Evaluates with an embedding function (each distinct text is embedded once).</summary>
    public IReadOnlyDictionary<string, double> Evaluate(Func<IReadOnlyList<string>, float[][]> embed, CancellationToken cancellationToken = default)
    {
        var cos = _pairs.Cosines(embed, cancellationToken);
        return new Dictionary<string, double>
        {
            ["pearson"] = CorrelationMetrics.Pearson(cos, _pairs.Values),
            ["spearman"] = CorrelationMetrics.Spearman(cos, _pairs.Values),
        };
    }
}
