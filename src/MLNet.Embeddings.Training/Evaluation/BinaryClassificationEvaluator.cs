using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Labelled pairs (1 = similar / duplicate, 0 = not): classifies by cosine similarity at the best threshold, as
/// sentence-transformers' <c>BinaryClassificationEvaluator</c> with cosine. Reports <c>accuracy</c>,
/// <c>accuracy_threshold</c>, <c>f1</c>, <c>f1_threshold</c>, <c>precision</c>, <c>recall</c> (at the best-F1 threshold)
/// and <c>ap</c> (average precision, the primary metric).
/// </summary>
public sealed class BinaryClassificationEvaluator : IEmbeddingEvaluator
{
    private readonly SentencePairs<int> _pairs;

    /// <summary>Creates the evaluator from equally long lists of pairs and 0/1 labels.</summary>
    public BinaryClassificationEvaluator(IReadOnlyList<string> sentences1, IReadOnlyList<string> sentences2, IReadOnlyList<int> labels, string name = "pair-classification")
    {
        _pairs = new SentencePairs<int>(sentences1, sentences2, labels, "labelled");
        for (int i = 0; i < labels.Count; i++)
            if (labels[i] is not (0 or 1)) throw new ArgumentException($"Label {i} is {labels[i]}; expected 0 or 1.", nameof(labels));
        Name = name;
    }

    /// <summary>Builds the evaluator from rows with a <see cref="TrainingExample.Label"/>: (query, first positive, label).</summary>
    public static BinaryClassificationEvaluator FromExamples(IEnumerable<TrainingExample> rows, string name = "pair-classification")
    {
        var (s1, s2, labels) = SentencePairs<int>.FromExamples(rows, row => row.Label, "label for pair classification");
        return new BinaryClassificationEvaluator(s1, s2, labels, name);
    }

    /// <inheritdoc/>
    public string Name { get; }
    /// <inheritdoc/>
    public string PrimaryMetric => "ap";
    /// <summary>Number of pairs.</summary>
    public int Count => _pairs.Values.Length;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(SentenceEncoder model, CancellationToken cancellationToken = default)
        => Evaluate(EmbeddingHelpers.FromModel(model, cancellationToken: cancellationToken), cancellationToken);

    /// <summary>Evaluates with an embedding function (each distinct text is embedded once).</summary>
    public IReadOnlyDictionary<string, double> Evaluate(Func<IReadOnlyList<string>, float[][]> embed, CancellationToken cancellationToken = default)
    {
        var cos = _pairs.Cosines(embed, cancellationToken);
        var labels = _pairs.Values;
        var (accuracy, accThreshold) = PairClassificationMetrics.BestAccuracy(cos, labels);
        var (f1, precision, recall, f1Threshold) = PairClassificationMetrics.BestF1(cos, labels);
        return new Dictionary<string, double>
        {
            ["accuracy"] = accuracy,
            ["accuracy_threshold"] = accThreshold,
            ["f1"] = f1,
            ["f1_threshold"] = f1Threshold,
            ["precision"] = precision,
            ["recall"] = recall,
            ["ap"] = PairClassificationMetrics.AveragePrecision(cos, labels),
        };
    }
}
