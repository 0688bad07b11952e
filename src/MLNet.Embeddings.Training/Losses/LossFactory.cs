namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// Builds a loss from its name and <see cref="LossOptions"/>: the one table of loss names that the command line
/// (<c>mlnet-embed train --loss</c>) and ML.NET (<c>FineTuneEmbeddingOptions.Loss</c>) share.
/// </summary>
public static class LossFactory
{
    /// <summary>The loss names <see cref="Create"/> accepts, in the order the docs list them.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["mnrl", "cached-mnrl", "mnrl-symmetric", "cosine", "cosent", "triplet", "contrastive", "online-contrastive", "simcse", "distill", "margin-mse",
         "softmax", "batch-all-triplet", "batch-hard-triplet", "batch-semi-hard-triplet"];

    /// <summary>The loss called <paramref name="name"/> with <paramref name="options"/> (null: every default).</summary>
    /// <exception cref="ConfigurationException">The name is unknown (the message lists the valid ones), or an option does not apply to this loss or is out of range.</exception>
    public static ILoss Create(string name, LossOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var o = options ?? new LossOptions();
        if (o.Scale is { } s && !(s > 0 && float.IsFinite(s))) throw new ConfigurationException(nameof(LossOptions.Scale), $"must be a positive number, found {s}.");
        if (o.Margin is { } m && !(m >= 0 && float.IsFinite(m))) throw new ConfigurationException(nameof(LossOptions.Margin), $"must be 0 or more, found {m}.");
        if (o.MiniBatchSize is < 1) throw new ConfigurationException(nameof(LossOptions.MiniBatchSize), $"must be at least 1, found {o.MiniBatchSize}.");
        ILoss loss = name switch
        {
            "mnrl" => o.Scale is { } a ? new MultipleNegativesRankingLoss { Scale = a } : new MultipleNegativesRankingLoss(),
            "mnrl-symmetric" => o.Scale is { } a ? new MultipleNegativesRankingLoss { Scale = a, Symmetric = true } : new MultipleNegativesRankingLoss { Symmetric = true },
            "cached-mnrl" => (o.MiniBatchSize, o.Scale) switch
            {
                ({ } mb, { } sc) => new CachedMultipleNegativesRankingLoss(mb, sc),
                ({ } mb, null) => new CachedMultipleNegativesRankingLoss(mb),
                (null, { } sc) => new CachedMultipleNegativesRankingLoss(scale: sc),
                _ => new CachedMultipleNegativesRankingLoss(),
            },
            "cosine" => new CosineSimilarityLoss(),
            "cosent" => o.Scale is { } a ? new CoSentLoss { Scale = a } : new CoSentLoss(),
            "triplet" => o.Margin is { } b ? new TripletLoss { Margin = b } : new TripletLoss(),
            "contrastive" => o.Margin is { } b ? new ContrastiveLoss { Margin = b } : new ContrastiveLoss(),
            "online-contrastive" => o.Margin is { } b ? new OnlineContrastiveLoss { Margin = b } : new OnlineContrastiveLoss(),
            "simcse" => o.Scale is { } a ? new SimCseLoss { Scale = a } : new SimCseLoss(),
            "distill" => o.Scale is { } a ? new DistillKLDivLoss { Scale = a } : new DistillKLDivLoss(),
            "margin-mse" => new MarginMseLoss(),
            "softmax" => new SoftmaxLoss(),
            "batch-all-triplet" => o.Margin is { } b ? new BatchAllTripletLoss { Margin = b } : new BatchAllTripletLoss(),
            "batch-hard-triplet" => o.Margin is { } b ? new BatchHardTripletLoss { Margin = b } : new BatchHardTripletLoss(),
            "batch-semi-hard-triplet" => o.Margin is { } b ? new BatchSemiHardTripletLoss { Margin = b } : new BatchSemiHardTripletLoss(),
            _ => throw new ConfigurationException("loss", $"expected one of {string.Join(", ", Names)}, found '{name}'."),
        };
        if (o.MiniBatchSize is not null && loss is not CachedMultipleNegativesRankingLoss)
            throw new ConfigurationException(nameof(LossOptions.MiniBatchSize), $"applies to cached-mnrl only, not '{name}'.");
        if (o.MatryoshkaDimensions is { Length: > 0 } dims)
        {
            if (loss is ITrainableLoss) throw new ConfigurationException(nameof(LossOptions.MatryoshkaDimensions), $"does not apply to '{name}' (its classifier takes one embedding size).");
            foreach (int d in dims)
                if (d < 1) throw new ConfigurationException(nameof(LossOptions.MatryoshkaDimensions), $"must be positive, found {d}.");
            loss = new MatryoshkaLoss(loss, dims);
        }
        return loss;
    }
}
