using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.CrossEncoders;

/// <summary>
/// The scoring steps every <see cref="ICrossEncoder"/> backend shares: pair tokenization with longest-first truncation,
/// batches of pairs sorted by token length, logits back in input order, the activation, and the ranking. A backend only
/// supplies the forward pass of one packed batch, so the backends differ in arithmetic and never in semantics.
/// </summary>
public static class CrossEncoderScoring
{
    /// <summary>
    /// Raw logits [pairs][<paramref name="numLabels"/>], in input order: each pair tokenized by <paramref name="pairTokenizer"/>
    /// (to <see cref="CrossEncoderOptions.MaxLength"/>, else <paramref name="maxLength"/>; never past <paramref name="maxPositions"/>),
    /// pairs sorted by length into batches of <see cref="CrossEncoderOptions.BatchSize"/>, each batch run by <paramref name="forward"/>
    /// (a packed batch → logits [Count × numLabels]).
    /// </summary>
    /// <exception cref="ConfigurationException">An option is out of range.</exception>
    public static float[][] PredictLogits(PairTokenizer pairTokenizer, int maxLength, int maxPositions, int numLabels,
        Func<TokenBatch, CancellationToken, float[]> forward, IReadOnlyList<(string Query, string Document)> pairs,
        CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairTokenizer);
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(pairs);
        options ??= new CrossEncoderOptions();
        if (options.BatchSize <= 0) throw new ConfigurationException(nameof(CrossEncoderOptions.BatchSize), $"must be at least 1, found {options.BatchSize}.");
        int cap = options.MaxLength ?? maxLength;
        if (cap < pairTokenizer.SpecialCount) throw new ConfigurationException(nameof(CrossEncoderOptions.MaxLength), $"must be at least {pairTokenizer.SpecialCount} (the pair's special tokens), found {cap}.");
        cap = Math.Min(cap, maxPositions);
        var tokenized = new TokenizedText[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            var (q, d) = pairs[i];
            if (q is null || d is null) throw new ArgumentException($"pairs[{i}] has a null {(q is null ? "query" : "document")}.", nameof(pairs));
            tokenized[i] = pairTokenizer.Encode(q, d, cap);
        }
        return RunBatches(tokenized, numLabels, forward, options, cancellationToken);
    }

    /// <summary>
    /// Logits [texts][<paramref name="numLabels"/>] of tokenized inputs, in input order: sorted by length into batches of
    /// <see cref="CrossEncoderOptions.BatchSize"/>, each run by <paramref name="forward"/>.
    /// </summary>
    internal static float[][] RunBatches(TokenizedText[] tokenized, int numLabels, Func<TokenBatch, CancellationToken, float[]> forward,
        CrossEncoderOptions options, CancellationToken cancellationToken)
    {
        var order = Enumerable.Range(0, tokenized.Length).OrderByDescending(i => tokenized[i].Length).ThenBy(i => i).ToArray();
        var result = new float[tokenized.Length][];
        var chunk = new List<TokenizedText>(options.BatchSize);
        for (int from = 0; from < order.Length; from += options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int to = Math.Min(order.Length, from + options.BatchSize);
            chunk.Clear();
            for (int k = from; k < to; k++) chunk.Add(tokenized[order[k]]);
            var logits = forward(TokenBatch.From(chunk), cancellationToken);
            if (logits.Length != (to - from) * numLabels)
                throw new InvalidOperationException($"The forward pass returned {logits.Length} logits for {to - from} inputs; expected {numLabels} per input.");
            for (int k = from; k < to; k++) result[order[k]] = logits.AsSpan((k - from) * numLabels, numLabels).ToArray();
            options.Progress?.Report(to);
        }
        return result;
    }

    /// <summary><see cref="ICrossEncoder.PredictLogits"/> through the activation (<see cref="CrossEncoderOptions.Activation"/>, else the model's).</summary>
    public static float[][] PredictAll(ICrossEncoder model, IReadOnlyList<(string Query, string Document)> pairs, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var logits = model.PredictLogits(pairs, options, cancellationToken);
        var activation = options?.Activation ?? model.Activation;
        foreach (var row in logits) CrossEncoder.Activate(row, activation);
        return logits;
    }

    /// <summary>The last label's activated score per pair (for a two-label "not relevant / relevant" model, the relevant one).</summary>
    public static float[] Predict(ICrossEncoder model, IReadOnlyList<(string Query, string Document)> pairs, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => PredictAll(model, pairs, options, cancellationToken).Select(s => s[^1]).ToArray();

    /// <summary>Scores every document against <paramref name="query"/> and returns them best first (ties keep input order); at most <paramref name="topK"/>.</summary>
    /// <exception cref="ConfigurationException"><paramref name="topK"/> is negative.</exception>
    public static IReadOnlyList<RankedDocument> Rank(ICrossEncoder model, string query, IReadOnlyList<string> documents, int? topK = null,
        CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(documents);
        if (topK is < 0) throw new ConfigurationException("topK", $"must be at least 0, found {topK}.");
        var scores = model.Predict(documents.Select(d => (query, d)).ToArray(), options, cancellationToken);
        return Enumerable.Range(0, documents.Count).OrderByDescending(i => scores[i]).ThenBy(i => i)
            .Take(topK ?? documents.Count).Select(i => new RankedDocument(i, scores[i], documents[i])).ToArray();
    }
}
