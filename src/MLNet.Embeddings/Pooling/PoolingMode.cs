namespace MLNet.Embeddings.Pooling;

/// <summary>How token embeddings become one sentence vector (sentence-transformers' 1_Pooling modes).</summary>
public enum PoolingMode
{
    /// <summary>Average of the token vectors (pooling_mode_mean_tokens).</summary>
    Mean,
    /// <summary>The first token's vector (pooling_mode_cls_token).</summary>
    Cls,
    /// <summary>Element-wise maximum (pooling_mode_max_tokens).</summary>
    Max,
    /// <summary>Sum divided by √length (pooling_mode_mean_sqrt_len_tokens).</summary>
    MeanSqrtLen,
    /// <summary>Position-weighted mean, weights 1..n (pooling_mode_weightedmean_tokens).</summary>
    WeightedMean,
    /// <summary>The last token's vector (pooling_mode_lasttoken).</summary>
    LastToken,
}
