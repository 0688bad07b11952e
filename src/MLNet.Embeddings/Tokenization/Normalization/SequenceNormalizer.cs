namespace MLNet.Embeddings.Tokenization.Normalization;

/// <summary>HF's <c>Sequence</c> normalizer: the steps in order, each on the previous one's output.</summary>
internal sealed class SequenceNormalizer : ITextNormalizer
{
    [ThreadStatic] private static NormalizedText? t_a, t_b;

    public SequenceNormalizer(IReadOnlyList<ITextNormalizer> steps) => Steps = steps;

    public IReadOnlyList<ITextNormalizer> Steps { get; }

    /// <inheritdoc />
    public void Normalize(NormalizedText input, NormalizedText output, int origin)
    {
        if (Steps.Count == 0) { new AlignedTransform(input, output, origin).CopyTo(input.Length); return; }
        if (Steps.Count == 1) { Steps[0].Normalize(input, output, origin); return; }
        // Ping-pong between two per-thread buffers; the last step writes to the output. A nested Sequence takes
        // its own buffers from the pool below, so the two never alias.
        var a = t_a ?? new NormalizedText();
        var b = t_b ?? new NormalizedText();
        t_a = t_b = null;
        try
        {
            var src = input;
            for (int i = 0; i < Steps.Count; i++)
            {
                var dst = i == Steps.Count - 1 ? output : (src == a ? b : a);
                Steps[i].Normalize(src, dst, origin);
                src = dst;
            }
        }
        finally { t_a = a; t_b = b; }
    }
}
