namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>Shared plumbing of the evaluators: embed each distinct text once, check what the delegate returned.</summary>
internal static class EmbeddingHelpers
{
    /// <summary>The delegate that <see cref="SentenceEncoder"/>-based evaluation uses.</summary>
    public static Func<IReadOnlyList<string>, float[][]> FromModel(SentenceEncoder model, string? promptName = null, int batchSize = 32, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var options = new EncodeOptions { PromptName = promptName, BatchSize = batchSize };
        return texts => model.Encode(texts, options, cancellationToken);
    }

    /// <summary>Vectors for <paramref name="texts"/> in order, calling <paramref name="embed"/> once on the distinct texts.</summary>
    public static float[][] EmbedDistinct(Func<IReadOnlyList<string>, float[][]> embed, IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(embed);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var distinct = new List<string>();
        var slot = new int[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            if (!index.TryGetValue(texts[i], out int s))
            {
                s = distinct.Count;
                index[texts[i]] = s;
                distinct.Add(texts[i]);
            }
            slot[i] = s;
        }
        var vectors = Embed(embed, distinct);
        var result = new float[texts.Count][];
        for (int i = 0; i < slot.Length; i++) result[i] = vectors[slot[i]];
        return result;
    }

    /// <summary>Calls <paramref name="embed"/> and checks one vector per text, all of one width.</summary>
    public static float[][] Embed(Func<IReadOnlyList<string>, float[][]> embed, IReadOnlyList<string> texts)
    {
        if (texts.Count == 0) return Array.Empty<float[]>();
        var vectors = embed(texts) ?? throw new InvalidOperationException("The embedding function returned null.");
        if (vectors.Length != texts.Count)
            throw new InvalidOperationException($"The embedding function returned {vectors.Length} vectors for {texts.Count} texts.");
        int dim = vectors[0]?.Length ?? 0;
        for (int i = 0; i < vectors.Length; i++)
            if (vectors[i] is null || vectors[i].Length != dim)
                throw new InvalidOperationException($"Vector {i} has {vectors[i]?.Length ?? 0} dimensions; expected {dim}.");
        return vectors;
    }

    /// <summary>Cosine similarity of each pair (a[i], b[i]).</summary>
    public static double[] PairCosines(float[][] a, float[][] b)
    {
        var result = new double[a.Length];
        for (int i = 0; i < a.Length; i++) result[i] = ExactSearch.Cosine(a[i], b[i]);
        return result;
    }
}
