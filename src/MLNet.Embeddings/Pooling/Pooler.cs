using System.Numerics.Tensors;

namespace MLNet.Embeddings.Pooling;

/// <summary>
/// Pooling kernels, forward and backward side by side, over packed token embeddings
/// <c>[TotalTokens × hidden]</c> (sequence <c>i</c> occupies rows <c>starts[i] .. starts[i+1]-1</c>).
/// They follow sentence-transformers' <c>Pooling</c> module token for token:
/// <list type="bullet">
/// <item><c>skip[i]</c> masks the first tokens of sequence <c>i</c> (include_prompt=false: [CLS] plus the prompt);
/// CLS pooling ignores it, as sentence-transformers does.</item>
/// <item>Weighted mean gives token <c>t</c> the weight <c>t + 1</c> (its position), also when earlier tokens are masked.</item>
/// <item>A sequence with no pooled tokens gives a zero vector (sentence-transformers' max pooling would give -1e9).</item>
/// </list>
/// </summary>
public static class Pooler
{
    /// <summary>
    /// Pools each sequence into one row of <paramref name="output"/> <c>[Count × hidden]</c>.
    /// </summary>
    /// <param name="mode">Pooling mode.</param>
    /// <param name="tokens">Token embeddings <c>[starts[^1] × hidden]</c>.</param>
    /// <param name="hidden">Width of a token vector.</param>
    /// <param name="starts">Prefix offsets, Count + 1 entries (as <c>TokenBatch.Starts</c>).</param>
    /// <param name="skip">Per sequence, how many leading tokens to leave out; empty for none.</param>
    /// <param name="output">Receives the pooled vectors (overwritten).</param>
    public static void Forward(PoolingMode mode, ReadOnlySpan<float> tokens, int hidden, ReadOnlySpan<int> starts,
        ReadOnlySpan<int> skip, Span<float> output)
    {
        int count = CheckShapes(tokens, hidden, starts, skip, output.Length);
        for (int i = 0; i < count; i++)
        {
            int start = starts[i], length = starts[i + 1] - start;
            int from = First(skip, i, length);
            var row = output.Slice(i * hidden, hidden);
            row.Clear();
            var seq = tokens.Slice(start * hidden, length * hidden);
            switch (mode)
            {
                case PoolingMode.Cls:
                    if (length > 0) seq[..hidden].CopyTo(row);
                    break;
                case PoolingMode.LastToken:
                    if (from < length) seq.Slice((length - 1) * hidden, hidden).CopyTo(row);
                    break;
                case PoolingMode.Max:
                    if (from < length)
                    {
                        seq.Slice(from * hidden, hidden).CopyTo(row);
                        for (int t = from + 1; t < length; t++) TensorPrimitives.Max(row, seq.Slice(t * hidden, hidden), row);
                    }
                    break;
                case PoolingMode.Mean:
                case PoolingMode.MeanSqrtLen:
                    if (from < length)
                    {
                        for (int t = from; t < length; t++) TensorPrimitives.Add(row, seq.Slice(t * hidden, hidden), row);
                        float n = length - from;
                        TensorPrimitives.Multiply(row, mode == PoolingMode.Mean ? 1f / n : 1f / MathF.Sqrt(n), row);
                    }
                    break;
                case PoolingMode.WeightedMean:
                    if (from < length)
                    {
                        for (int t = from; t < length; t++) TensorPrimitives.MultiplyAdd(seq.Slice(t * hidden, hidden), t + 1, row, row);
                        TensorPrimitives.Multiply(row, 1f / WeightSum(from, length), row);
                    }
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown pooling mode.");
            }
        }
    }

    /// <summary>
    /// Gradient of <see cref="Forward"/>: writes dLoss/dTokens into <paramref name="tokenGradient"/>
    /// <c>[TotalTokens × hidden]</c> (overwritten; tokens that do not contribute get zero).
    /// </summary>
    /// <param name="mode">Pooling mode used in the forward pass.</param>
    /// <param name="tokens">The forward pass's token embeddings (max pooling needs them to find the arg-max).</param>
    /// <param name="hidden">Width of a token vector.</param>
    /// <param name="starts">Prefix offsets, Count + 1 entries.</param>
    /// <param name="skip">Per sequence, how many leading tokens were left out; empty for none.</param>
    /// <param name="outputGradient">dLoss/dPooled <c>[Count × hidden]</c>.</param>
    /// <param name="tokenGradient">Receives dLoss/dTokens.</param>
    public static void Backward(PoolingMode mode, ReadOnlySpan<float> tokens, int hidden, ReadOnlySpan<int> starts,
        ReadOnlySpan<int> skip, ReadOnlySpan<float> outputGradient, Span<float> tokenGradient)
    {
        int count = CheckShapes(tokens, hidden, starts, skip, outputGradient.Length);
        if (tokenGradient.Length != tokens.Length)
            throw new ArgumentException($"tokenGradient holds {tokenGradient.Length} values, expected {tokens.Length}.", nameof(tokenGradient));
        tokenGradient.Clear();
        for (int i = 0; i < count; i++)
        {
            int start = starts[i], length = starts[i + 1] - start;
            int from = First(skip, i, length);
            var g = outputGradient.Slice(i * hidden, hidden);
            var seqGrad = tokenGradient.Slice(start * hidden, length * hidden);
            switch (mode)
            {
                case PoolingMode.Cls:
                    if (length > 0) g.CopyTo(seqGrad[..hidden]);
                    break;
                case PoolingMode.LastToken:
                    if (from < length) g.CopyTo(seqGrad.Slice((length - 1) * hidden, hidden));
                    break;
                case PoolingMode.Max:
                    // The gradient goes to the first token holding the maximum, as in the forward scan.
                    var seq = tokens.Slice(start * hidden, length * hidden);
                    for (int d = 0; d < hidden && from < length; d++)
                    {
                        int best = from; float value = seq[from * hidden + d];
                        for (int t = from + 1; t < length; t++)
                        {
                            float v = seq[t * hidden + d];
                            if (v > value || float.IsNaN(v) && !float.IsNaN(value)) { value = v; best = t; }
                        }
                        seqGrad[best * hidden + d] = g[d];
                    }
                    break;
                case PoolingMode.Mean:
                case PoolingMode.MeanSqrtLen:
                    if (from < length)
                    {
                        float n = length - from;
                        float scale = mode == PoolingMode.Mean ? 1f / n : 1f / MathF.Sqrt(n);
                        for (int t = from; t < length; t++) TensorPrimitives.Multiply(g, scale, seqGrad.Slice(t * hidden, hidden));
                    }
                    break;
                case PoolingMode.WeightedMean:
                    if (from < length)
                    {
                        float inv = 1f / WeightSum(from, length);
                        for (int t = from; t < length; t++) TensorPrimitives.Multiply(g, (t + 1) * inv, seqGrad.Slice(t * hidden, hidden));
                    }
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown pooling mode.");
            }
        }
    }

    /// <summary>Sum of the weights t+1 for t in [from, length).</summary>
    static float WeightSum(int from, int length) => (float)(((long)length * (length + 1) - (long)from * (from + 1)) / 2);

    static int First(ReadOnlySpan<int> skip, int i, int length) => skip.IsEmpty ? 0 : Math.Min(Math.Max(skip[i], 0), length);

    static int CheckShapes(ReadOnlySpan<float> tokens, int hidden, ReadOnlySpan<int> starts, ReadOnlySpan<int> skip, int pooledLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hidden);
        if (starts.Length == 0) throw new ArgumentException("starts needs Count + 1 entries.", nameof(starts));
        int count = starts.Length - 1;
        if ((long)starts[^1] * hidden != tokens.Length)
            throw new ArgumentException($"tokens holds {tokens.Length} values, expected {starts[^1]}×{hidden}.", nameof(tokens));
        if (pooledLength != count * hidden)
            throw new ArgumentException($"pooled buffer holds {pooledLength} values, expected {count}×{hidden}.");
        if (!skip.IsEmpty && skip.Length != count)
            throw new ArgumentException($"skip holds {skip.Length} entries, expected {count}.", nameof(skip));
        return count;
    }
}
