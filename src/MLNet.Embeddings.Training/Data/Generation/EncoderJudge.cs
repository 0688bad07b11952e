using MLNet.Embeddings.Scoring;

namespace MLNet.Embeddings.Training.Data.Generation;

/// <summary>An <see cref="IRelevanceJudge"/> that scores by the cosine similarity of an embedding model's vectors.</summary>
public sealed class EncoderJudge : IRelevanceJudge
{
    private readonly SentenceEncoder _encoder;

    /// <summary>Judges with <paramref name="encoder"/>.</summary>
    public EncoderJudge(SentenceEncoder encoder) => _encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));

    /// <inheritdoc/>
    public IReadOnlyList<float> Score(string query, IReadOnlyList<string> passages)
    {
        var q = _encoder.Encode([query])[0];
        var p = _encoder.Encode(passages);
        var scores = new float[p.Length];
        for (int i = 0; i < p.Length; i++) scores[i] = VectorSimilarity.Cosine(q, p[i]);
        return scores;
    }
}
