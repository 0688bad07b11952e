namespace MLNet.Embeddings.ML;

/// <summary>The <c>LossFactory</c> name of each <see cref="EmbeddingLoss"/>.</summary>
internal static class LossNames
{
    public static string Of(EmbeddingLoss loss) => loss switch
    {
        EmbeddingLoss.MultipleNegativesRanking => "mnrl",
        EmbeddingLoss.MultipleNegativesRankingSymmetric => "mnrl-symmetric",
        EmbeddingLoss.CachedMultipleNegativesRanking => "cached-mnrl",
        EmbeddingLoss.CosineSimilarity => "cosine",
        EmbeddingLoss.CoSent => "cosent",
        EmbeddingLoss.Triplet => "triplet",
        EmbeddingLoss.Contrastive => "contrastive",
        EmbeddingLoss.OnlineContrastive => "online-contrastive",
        EmbeddingLoss.SimCse => "simcse",
        EmbeddingLoss.Distillation => "distill",
        EmbeddingLoss.MarginMse => "margin-mse",
        EmbeddingLoss.Softmax => "softmax",
        EmbeddingLoss.BatchAllTriplet => "batch-all-triplet",
        EmbeddingLoss.BatchHardTriplet => "batch-hard-triplet",
        EmbeddingLoss.BatchSemiHardTriplet => "batch-semi-hard-triplet",
        _ => throw new ConfigurationException(nameof(FineTuneEmbeddingOptions.Loss), $"unknown loss {loss}."),
    };
}
