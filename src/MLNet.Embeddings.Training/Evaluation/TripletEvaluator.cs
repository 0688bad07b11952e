using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Triplets (anchor, positive, negative): <c>triplet_accuracy</c> is the fraction with
/// cos(anchor, positive) &gt; cos(anchor, negative), as sentence-transformers' <c>TripletEvaluator</c> with cosine.
/// </summary>
public sealed class TripletEvaluator : IEmbeddingEvaluator
{
    private readonly string[] _anchors, _positives, _negatives;

    /// <summary>Creates the evaluator from equally long lists.</summary>
    public TripletEvaluator(IReadOnlyList<string> anchors, IReadOnlyList<string> positives, IReadOnlyList<string> negatives, string name = "triplets")
    {
        if (anchors.Count != positives.Count || anchors.Count != negatives.Count)
            throw new ArgumentException($"Expected equally long inputs; found {anchors.Count}, {positives.Count} and {negatives.Count}.");
        if (anchors.Count == 0) throw new ArgumentException("Expected at least one triplet.", nameof(anchors));
        _anchors = anchors.ToArray(); _positives = positives.ToArray(); _negatives = negatives.ToArray();
        Name = name;
    }

    /// <summary>Builds the evaluator from rows: (query, first positive, negative) for each of the row's negatives.</summary>
    public static TripletEvaluator FromExamples(IEnumerable<TrainingExample> rows, string name = "triplets")
    {
        var a = new List<string>(); var p = new List<string>(); var n = new List<string>();
        foreach (var row in rows)
        {
            if (row.Pos.Count == 0 || row.Neg.Count == 0)
                throw new ArgumentException($"Row at line {row.Line} needs anchor, positive and negative for triplet evaluation.", nameof(rows));
            foreach (var neg in row.Neg) { a.Add(row.Query); p.Add(row.Pos[0]); n.Add(neg); }
        }
        return new TripletEvaluator(a, p, n, name);
    }

    /// <inheritdoc/>
    public string Name { get; }
    /// <inheritdoc/>
    public string PrimaryMetric => "triplet_accuracy";
    /// <summary>Number of triplets.</summary>
    public int Count => _anchors.Length;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(SentenceEncoder model, CancellationToken cancellationToken = default)
        => Evaluate(EmbeddingHelpers.FromModel(model, cancellationToken: cancellationToken), cancellationToken);

    /// <summary>Evaluates with an embedding function (each distinct text is embedded once).</summary>
    public IReadOnlyDictionary<string, double> Evaluate(Func<IReadOnlyList<string>, float[][]> embed, CancellationToken cancellationToken = default)
    {
        int n = _anchors.Length;
        var all = EmbeddingHelpers.EmbedDistinct(embed, _anchors.Concat(_positives).Concat(_negatives).ToArray());
        cancellationToken.ThrowIfCancellationRequested();
        int correct = 0;
        for (int i = 0; i < n; i++)
            if (ExactSearch.Cosine(all[i], all[n + i]) > ExactSearch.Cosine(all[i], all[2 * n + i])) correct++;
        return new Dictionary<string, double> { ["triplet_accuracy"] = correct / (double)n };
    }
}
