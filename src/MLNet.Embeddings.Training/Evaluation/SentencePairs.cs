using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// The pairs of a pair evaluator (<see cref="BinaryClassificationEvaluator"/>, <see cref="EmbeddingSimilarityEvaluator"/>):
/// two equally long sentence lists with one gold value per pair, checked on creation, and the cosine of each pair.
/// </summary>
internal sealed class SentencePairs<T> where T : struct
{
    private readonly string[] _sentences1, _sentences2;

    /// <param name="sentences1">First sentences.</param>
    /// <param name="sentences2">Second sentences.</param>
    /// <param name="values">Gold value of each pair.</param>
    /// <param name="kind">How the pairs are called in errors (<c>labelled</c>, <c>scored</c>).</param>
    public SentencePairs(IReadOnlyList<string> sentences1, IReadOnlyList<string> sentences2, IReadOnlyList<T> values, string kind)
    {
        if (sentences1.Count != sentences2.Count || sentences1.Count != values.Count)
            throw new ArgumentException($"Expected equally long inputs; found {sentences1.Count}, {sentences2.Count} and {values.Count}.");
        if (sentences1.Count < 2) throw new ArgumentException($"Expected at least two {kind} pairs.", nameof(sentences1));
        _sentences1 = sentences1.ToArray(); _sentences2 = sentences2.ToArray(); Values = values.ToArray();
    }

    /// <summary>Gold value of each pair.</summary>
    public T[] Values { get; }

    /// <summary>
    /// Collects (query, first positive, value) from rows; a row without a value or a positive is an error that
    /// says it <paramref name="needs"/> (e.g. <c>label for pair classification</c>).
    /// </summary>
    public static (List<string> Sentences1, List<string> Sentences2, List<T> Values) FromExamples(
        IEnumerable<TrainingExample> rows, Func<TrainingExample, T?> value, string needs)
    {
        var s1 = new List<string>(); var s2 = new List<string>(); var values = new List<T>();
        foreach (var row in rows)
        {
            if (value(row) is not { } v || row.Pos.Count == 0)
                throw new ArgumentException($"Row at line {row.Line} needs sentence1, sentence2 and {needs}.", nameof(rows));
            s1.Add(row.Query); s2.Add(row.Pos[0]); values.Add(v);
        }
        return (s1, s2, values);
    }

    /// <summary>Cosine similarity of each pair's embeddings (each distinct text is embedded once).</summary>
    public double[] Cosines(Func<IReadOnlyList<string>, float[][]> embed, CancellationToken cancellationToken)
    {
        var all = EmbeddingHelpers.EmbedDistinct(embed, _sentences1.Concat(_sentences2).ToArray());
        cancellationToken.ThrowIfCancellationRequested();
        return EmbeddingHelpers.PairCosines(all[.._sentences1.Length], all[_sentences1.Length..]);
    }
}
