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
    private readonly string[] _sentences1, _sentences2;
    private readonly int[] _labels;

    /// <summary>Creates the evaluator from equally long lists of pairs and 0/1 labels.</summary>
    public BinaryClassificationEvaluator(IReadOnlyList<string> sentences1, IReadOnlyList<string> sentences2, IReadOnlyList<int> labels, string name = "pair-classification")
    {
        if (sentences1.Count != sentences2.Count || sentences1.Count != labels.Count)
            throw new ArgumentException($"Expected equally long inputs; found {sentences1.Count}, {sentences2.Count} and {labels.Count}.");
        if (sentences1.Count < 2) throw new ArgumentException("Expected at least two labelled pairs.", nameof(sentences1));
        for (int i = 0; i < labels.Count; i++)
            if (labels[i] is not (0 or 1)) throw new ArgumentException($"Label {i} is {labels[i]}; expected 0 or 1.", nameof(labels));
        _sentences1 = sentences1.ToArray(); _sentences2 = sentences2.ToArray(); _labels = labels.ToArray();
        Name = name;
    }

    /// <summary>Builds the evaluator from rows with a <see cref="TrainingExample.Label"/>: (query, first positive, label).</summary>
    public static BinaryClassificationEvaluator FromExamples(IEnumerable<TrainingExample> rows, string name = "pair-classification")
    {
        var s1 = new List<string>(); var s2 = new List<string>(); var labels = new List<int>();
        foreach (var row in rows)
        {
            if (row.Label is null || row.Pos.Count == 0)
                throw new ArgumentException($"Row at line {row.Line} needs sentence1, sentence2 and label for pair classification.", nameof(rows));
            s1.Add(row.Query); s2.Add(row.Pos[0]); labels.Add(row.Label.Value);
        }
        return new BinaryClassificationEvaluator(s1, s2, labels, name);
    }

    /// <inheritdoc/>
    public string Name { get; }
    /// <inheritdoc/>
    public string PrimaryMetric => "ap";
    /// <summary>Number of pairs.</summary>
    public int Count => _labels.Length;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(SentenceEncoder model, CancellationToken cancellationToken = default)
        => Evaluate(EmbeddingHelpers.FromModel(model, cancellationToken: cancellationToken), cancellationToken);

    /// <summary>Evaluates with an embedding function (each distinct text is embedded once).</summary>
    public IReadOnlyDictionary<string, double> Evaluate(Func<IReadOnlyList<string>, float[][]> embed, CancellationToken cancellationToken = default)
    {
        var all = EmbeddingHelpers.EmbedDistinct(embed, _sentences1.Concat(_sentences2).ToArray());
        cancellationToken.ThrowIfCancellationRequested();
        var cos = EmbeddingHelpers.PairCosines(all[.._sentences1.Length], all[_sentences1.Length..]);
        var (accuracy, accThreshold) = PairClassificationMetrics.BestAccuracy(cos, _labels);
        var (f1, precision, recall, f1Threshold) = PairClassificationMetrics.BestF1(cos, _labels);
        return new Dictionary<string, double>
        {
            ["accuracy"] = accuracy,
            ["accuracy_threshold"] = accThreshold,
            ["f1"] = f1,
            ["f1_threshold"] = f1Threshold,
            ["precision"] = precision,
            ["recall"] = recall,
            ["ap"] = PairClassificationMetrics.AveragePrecision(cos, _labels),
        };
    }
}
