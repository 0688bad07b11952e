using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Scored pairs (e.g. STS benchmark): Pearson and Spearman correlation between the cosine similarity of each pair's
/// embeddings and its gold score (<c>pearson</c>, <c>spearman</c>), as sentence-transformers'
/// <c>EmbeddingSimilarityEvaluator</c> with cosine. The primary metric is <c>spearman</c>.
/// </summary>
public sealed class EmbeddingSimilarityEvaluator : IEmbeddingEvaluator
{
    private readonly string[] _sentences1, _sentences2;
    private readonly double[] _scores;

    /// <summary>Creates the evaluator from equally long lists of pairs and gold scores (any scale).</summary>
    public EmbeddingSimilarityEvaluator(IReadOnlyList<string> sentences1, IReadOnlyList<string> sentences2, IReadOnlyList<double> scores, string name = "sts")
    {
        if (sentences1.Count != sentences2.Count || sentences1.Count != scores.Count)
            throw new ArgumentException($"Expected equally long inputs; found {sentences1.Count}, {sentences2.Count} and {scores.Count}.");
        if (sentences1.Count < 2) throw new ArgumentException("Expected at least two scored pairs.", nameof(sentences1));
        _sentences1 = sentences1.ToArray(); _sentences2 = sentences2.ToArray(); _scores = scores.ToArray();
        Name = name;
    }

    /// <summary>Builds the evaluator from rows with a <see cref="TrainingExample.Score"/>: (query, first positive, score).</summary>
    public static EmbeddingSimilarityEvaluator FromExamples(IEnumerable<TrainingExample> rows, string name = "sts")
    {
        var s1 = new List<string>(); var s2 = new List<string>(); var scores = new List<double>();
        foreach (var row in rows)
        {
            if (row.Score is null || row.Pos.Count == 0)
                throw new ArgumentException($"Row at line {row.Line} needs sentence1, sentence2 and score for similarity evaluation.", nameof(rows));
            s1.Add(row.Query); s2.Add(row.Pos[0]); scores.Add(row.Score.Value);
        }
        return new EmbeddingSimilarityEvaluator(s1, s2, scores, name);
    }

    /// <inheritdoc/>
    public string Name { get; }
    /// <inheritdoc/>
    public string PrimaryMetric => "spearman";
    /// <summary>Number of pairs.</summary>
    public int Count => _scores.Length;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(SentenceEncoder model, CancellationToken cancellationToken = default)
        => Evaluate(EmbeddingHelpers.FromModel(model, cancellationToken: cancellationToken), cancellationToken);

    /// <summary>Evaluates with an embedding function (each distinct text is embedded once).</summary>
    public IReadOnlyDictionary<string, double> Evaluate(Func<IReadOnlyList<string>, float[][]> embed, CancellationToken cancellationToken = default)
    {
        var all = EmbeddingHelpers.EmbedDistinct(embed, _sentences1.Concat(_sentences2).ToArray());
        cancellationToken.ThrowIfCancellationRequested();
        var cos = EmbeddingHelpers.PairCosines(all[.._sentences1.Length], all[_sentences1.Length..]);
        return new Dictionary<string, double>
        {
            ["pearson"] = CorrelationMetrics.Pearson(cos, _scores),
            ["spearman"] = CorrelationMetrics.Spearman(cos, _scores),
        };
    }
}
