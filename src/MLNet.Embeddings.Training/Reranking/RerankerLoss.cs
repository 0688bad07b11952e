namespace MLNet.Embeddings.Training.Reranking;

/// <summary>Objectives for training a cross-encoder (one logit per (query, document) pair).</summary>
public enum RerankerLoss
{
    /// <summary>
    /// Binary cross-entropy on each pair's logit (sentence-transformers' BinaryCrossEntropyLoss): positives are 1,
    /// negatives 0, scored pairs their score (0..1). Reads (query, pos, neg) rows and (sentence1, sentence2, label/score) rows.
    /// </summary>
    Bce,
    /// <summary>
    /// Cross-entropy over each group (query, positive, negatives) with the positive as the target class: FlagEmbedding's
    /// reranker loss. Group size is 1 + <see cref="TrainerOptions.NegativesPerRow"/>.
    /// </summary>
    Listwise,
    /// <summary>
    /// Mean squared error between the student's margins <c>s(q, pos) − s(q, negᵢ)</c> and the teacher's (from
    /// <c>pos_scores</c> / <c>neg_scores</c>): sentence-transformers' cross-encoder MarginMSELoss.
    /// </summary>
    MarginMse,
}
