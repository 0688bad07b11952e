namespace MLNet.Embeddings.ML;

/// <summary>
/// The objectives <c>FineTuneEmbedding</c> trains with: every loss of the trainer's <c>LossFactory</c> (the same as
/// <c>mlnet-embed train --loss</c>, see docs/training.md), with its numbers in <see cref="FineTuneEmbeddingOptions.LossOptions"/>.
/// </summary>
public enum EmbeddingLoss
{
    /// <summary>MultipleNegativesRankingLoss / InfoNCE (<c>mnrl</c>): anchor + positive (+ hard negatives), in-batch negatives, scale 20.</summary>
    MultipleNegativesRanking,
    /// <summary>MNRL in both directions, anchor→positive and positive→anchor (<c>mnrl-symmetric</c>).</summary>
    MultipleNegativesRankingSymmetric,
    /// <summary>Cached MNRL, GradCache (<c>cached-mnrl</c>): large batches in mini-batches of 32 with constant memory.</summary>
    CachedMultipleNegativesRanking,
    /// <summary>CosineSimilarityLoss (<c>cosine</c>): MSE between cos(anchor, positive) and the score (scores above 1 are divided by the largest).</summary>
    CosineSimilarity,
    /// <summary>CoSENTLoss (<c>cosent</c>): ranks pairs by score (scale 20).</summary>
    CoSent,
    /// <summary>TripletLoss (<c>triplet</c>): anchor, positive, first negative; euclidean distance, margin 5.</summary>
    Triplet,
    /// <summary>ContrastiveLoss (<c>contrastive</c>): 0/1 labels, cosine distance, margin 0.5.</summary>
    Contrastive,
    /// <summary>OnlineContrastiveLoss (<c>online-contrastive</c>): contrastive loss on the hard pairs of each batch.</summary>
    OnlineContrastive,
    /// <summary>Unsupervised SimCSE (<c>simcse</c>): the anchor column alone, two dropout views (needs a transformer with dropout).</summary>
    SimCse,
    /// <summary>KL-divergence distillation from teacher scores (<c>distill</c>): anchor, positive, negatives and <see cref="FineTuneEmbeddingOptions.TeacherScoreColumnNames"/>.</summary>
    Distillation,
    /// <summary>Margin-MSE distillation (<c>margin-mse</c>): the student's margins regressed onto the teacher's; columns as <see cref="Distillation"/>.</summary>
    MarginMse,
    /// <summary>SBERT's SoftmaxLoss (<c>softmax</c>): a classifier on (u, v, |u − v|) of anchor and positive, trained with the encoder; integer class labels (NLI).</summary>
    Softmax,
    /// <summary>BatchAllTripletLoss (<c>batch-all-triplet</c>): labelled texts (anchor + label column), every valid triplet in the batch.</summary>
    BatchAllTriplet,
    /// <summary>BatchHardTripletLoss (<c>batch-hard-triplet</c>): labelled texts, the farthest positive and nearest negative per anchor.</summary>
    BatchHardTriplet,
    /// <summary>BatchSemiHardTripletLoss (<c>batch-semi-hard-triplet</c>): labelled texts, semi-hard negatives.</summary>
    BatchSemiHardTriplet,
}
