namespace MLNet.Embeddings.Pooling;

/// <summary>
/// Everything between the backbone and the loss: pooling, optional Matryoshka truncation, optional L2
/// normalisation, with a backward pass. Stateless: <see cref="Backward"/> recomputes the cheap forward, so the
/// trainer needs to keep only the token embeddings.
/// </summary>
/// <param name="mode">Pooling mode.</param>
/// <param name="normalize">L2-normalise the (truncated) vectors.</param>
/// <param name="dimensions">Keep only the first N dimensions; null keeps all.</param>
/// <param name="dense">Dense modules applied after pooling, before truncation (null or empty: none).</param>
public sealed class PoolingHead(PoolingMode mode, bool normalize, int? dimensions = null, IReadOnlyList<DenseLayer>? dense = null)
{
    /// <summary>Dense modules between pooling and truncation.</summary>
    public IReadOnlyList<DenseLayer> Dense { get; } = dense ?? [];

    /// <summary>Pooling mode.</summary>
    public PoolingMode Mode { get; } = mode;
    /// <summary>Whether vectors are L2-normalised after truncation.</summary>
    public bool Normalize { get; } = normalize;
    /// <summary>Matryoshka dimensions, or null for all.</summary>
    public int? Dimensions { get; } = dimensions;

    /// <summary>Width of the output vectors for token vectors of width <paramref name="hidden"/> (the last Dense module's width when there is one).</summary>
    public int OutputDimensions(int hidden)
    {
        int width = Dense.Count > 0 ? Dense[^1].OutFeatures : hidden;
        return Dimensions is int d && d < width ? d : width;
    }

    /// <summary>Sentence vectors <c>[Count × OutputDimensions(hidden)]</c> from token embeddings <c>[starts[^1] × hidden]</c>.</summary>
    /// <param name="tokens">Token embeddings, packed.</param>
    /// <param name="hidden">Width of a token vector.</param>
    /// <param name="starts">Prefix offsets, Count + 1 entries.</param>
    /// <param name="skip">Per sequence, leading tokens left out of pooling (include_prompt=false); empty for none.</param>
    public float[] Forward(ReadOnlySpan<float> tokens, int hidden, ReadOnlySpan<int> starts, ReadOnlySpan<int> skip)
    {
        int count = starts.Length - 1;
        var pooled = new float[count * hidden];
        Pooler.Forward(Mode, tokens, hidden, starts, skip, pooled);
        foreach (var d in Dense) { pooled = d.Forward(pooled, count); hidden = d.OutFeatures; }
        return Finish(pooled, hidden);
    }

    /// <summary>Applies truncation and normalisation to already pooled vectors <c>[rows × hidden]</c> (e.g. from an <c>IPooledBackbone</c>).</summary>
    public float[] Finish(float[] pooled, int hidden)
    {
        int dims = OutputDimensions(hidden);
        var result = pooled;
        if (dims != hidden)
        {
            result = new float[pooled.Length / hidden * dims];
            Matryoshka.Forward(pooled, hidden, dims, result);
        }
        if (Normalize) L2Norm.InPlace(result, dims);
        return result;
    }

    /// <summary>dLoss/dTokens <c>[starts[^1] × hidden]</c> from dLoss/dOutput <c>[Count × OutputDimensions(hidden)]</c>.</summary>
    public float[] Backward(ReadOnlySpan<float> tokens, int hidden, ReadOnlySpan<int> starts, ReadOnlySpan<int> skip, ReadOnlySpan<float> outputGradient)
    {
        int count = starts.Length - 1;
        int tokenWidth = hidden;
        var pooled = new float[count * hidden];
        Pooler.Forward(Mode, tokens, hidden, starts, skip, pooled);
        var denseInputs = new float[Dense.Count][];
        foreach (var (d, i) in Dense.Select((d, i) => (d, i))) { denseInputs[i] = pooled; pooled = d.Forward(pooled, count); hidden = d.OutFeatures; }
        int dims = OutputDimensions(hidden);
        if (outputGradient.Length != count * dims)
            throw new ArgumentException($"outputGradient holds {outputGradient.Length} values, expected {count}×{dims}.", nameof(outputGradient));

        float[] truncated = pooled;
        if (dims != hidden)
        {
            truncated = new float[count * dims];
            Matryoshka.Forward(pooled, hidden, dims, truncated);
        }
        var gTruncated = outputGradient.ToArray();
        if (Normalize) L2Norm.Backward(truncated, dims, gTruncated, gTruncated);
        var gPooled = gTruncated;
        if (dims != hidden)
        {
            gPooled = new float[count * hidden];
            Matryoshka.Backward(gTruncated, hidden, dims, gPooled);
        }
        for (int i = Dense.Count - 1; i >= 0; i--)
        {
            var y = i == Dense.Count - 1 ? pooled : denseInputs[i + 1];
            gPooled = Dense[i].Backward(denseInputs[i], y, gPooled, count);
        }
        var tokenGradient = new float[tokens.Length];
        Pooler.Backward(Mode, tokens, tokenWidth, starts, skip, gPooled, tokenGradient);
        return tokenGradient;
    }
}
