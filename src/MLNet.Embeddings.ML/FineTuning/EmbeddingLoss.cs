namespace MLNet.Embeddings.ML;

/// <summary>The contrastive objectives <c>FineTuneEmbedding</c> trains with (the trainer's losses, see docs/training.md).</summary>
public enum EmbeddingLoss
{
    /// <summary>MultipleNegativesRankingLoss / InfoNCE: anchor + positive (+ hard negatives), in-batch negatives, scale 20.</summary>
    MultipleNegativesRanking,
    /// <summary>MNRL in both directions (anchor→positive and positive→anchor).</summary>
    MultipleNegativesRankingSymmetric,
    /// <summary>Cached MNRL (GradCache): large batches in mini-batches of 32 with constant memory.</summary>
    CachedMultipleNegativesRanking,
    /// <summary>CosineSimilarityLoss: MSE between cos(anchor, positive) and the score (scores above 1 are divided by the largest).</summary>
    CosineSimilarity,
    /// <summary>CoSENTLoss: ranks pairs by score (scale 20).</summary>
    CoSent,
    /// <summary>TripletLoss: anchor, positive, first negative; euclidean distance, margin 5.</summary>
    Triplet,
    /// <summary>ContrastiveLoss: 0/1 labels, cosine distance, margin 0.5.</summary>
    Contrastive,
    /// <summary>OnlineContrastiveLoss: contrastive loss on the hard pairs of each batch.</summary>
    OnlineContrastive,
    /// <summary>Unsupervised SimCSE: the anchor column alone, two dropout views (needs a transformer with dropout).</summary>
    SimCse,
}
