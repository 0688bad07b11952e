namespace MLNet.Embeddings.Training.Reranking;

/// <summary>
/// The reranker objectives as pure functions of the logits: each returns the mean loss over its input and writes
/// dLoss/dLogits. Groups are laid out one after another, the positive first.
/// </summary>
public static class RerankerLosses
{
    /// <summary>
    /// <c>mean(BCEWithLogits(logits, labels))</c>, as torch.nn.BCEWithLogitsLoss: <c>max(s, 0) − s·y + log(1 + e^−|s|)</c>.
    /// </summary>
    public static double BinaryCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels, Span<float> gradient)
    {
        Check(logits, gradient);
        if (labels.Length != logits.Length) throw new ArgumentException($"Expected {logits.Length} labels, found {labels.Length}.", nameof(labels));
        int n = logits.Length;
        if (n == 0) return 0;
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double s = logits[i], y = labels[i];
            sum += Math.Max(s, 0) - s * y + Math.Log(1 + Math.Exp(-Math.Abs(s)));
            gradient[i] = (float)((1 / (1 + Math.Exp(-s)) - y) / n);
        }
        return sum / n;
    }

    /// <summary>
    /// FlagEmbedding's listwise loss: the logits as [groups × <paramref name="groupSize"/>], cross-entropy with target
    /// 0 (the positive) in every group, averaged over the groups.
    /// </summary>
    public static double Listwise(ReadOnlySpan<float> logits, int groupSize, Span<float> gradient)
    {
        Check(logits, gradient);
        int groups = Groups(logits.Length, groupSize);
        if (groups == 0) return 0;
        double sum = 0;
        for (int g = 0; g < groups; g++)
        {
            var s = logits.Slice(g * groupSize, groupSize);
            var d = gradient.Slice(g * groupSize, groupSize);
            double max = double.NegativeInfinity;
            foreach (var v in s) max = Math.Max(max, v);
            double z = 0;
            for (int i = 0; i < groupSize; i++) z += Math.Exp(s[i] - max);
            sum += Math.Log(z) + max - s[0];
            for (int i = 0; i < groupSize; i++) d[i] = (float)((Math.Exp(s[i] - max) / z - (i == 0 ? 1 : 0)) / groups);
        }
        return sum / groups;
    }

    /// <summary>
    /// MarginMSE: for each group and each negative i, <c>((s₀ − sᵢ) − (t₀ − tᵢ))²</c>, averaged over all (group, negative)
    /// terms; <paramref name="teacher"/> holds the teacher's scores in the same layout as the logits.
    /// </summary>
    public static double MarginMse(ReadOnlySpan<float> logits, ReadOnlySpan<float> teacher, int groupSize, Span<float> gradient)
    {
        Check(logits, gradient);
        if (teacher.Length != logits.Length) throw new ArgumentException($"Expected {logits.Length} teacher scores, found {teacher.Length}.", nameof(teacher));
        if (groupSize < 2) throw new ArgumentOutOfRangeException(nameof(groupSize), $"MarginMSE needs a positive and at least one negative per group, found group size {groupSize}.");
        int groups = Groups(logits.Length, groupSize);
        gradient.Clear();
        int terms = groups * (groupSize - 1);
        if (terms == 0) return 0;
        double sum = 0;
        for (int g = 0; g < groups; g++)
        {
            int o = g * groupSize;
            for (int i = 1; i < groupSize; i++)
            {
                double diff = (logits[o] - (double)logits[o + i]) - (teacher[o] - (double)teacher[o + i]);
                sum += diff * diff;
                float d = (float)(2 * diff / terms);
                gradient[o] += d; gradient[o + i] -= d;
            }
        }
        return sum / terms;
    }

    static void Check(ReadOnlySpan<float> logits, Span<float> gradient)
    {
        if (gradient.Length != logits.Length) throw new ArgumentException($"Expected a gradient of {logits.Length} values, found {gradient.Length}.", nameof(gradient));
    }

    static int Groups(int n, int groupSize)
    {
        if (groupSize < 1) throw new ArgumentOutOfRangeException(nameof(groupSize), $"must be at least 1, found {groupSize}.");
        if (n % groupSize != 0) throw new ArgumentException($"{n} logits do not split into groups of {groupSize}.");
        return n / groupSize;
    }

    /// <summary>The loss and gradient of <paramref name="loss"/> for one chunk of groups (labels for BCE, teacher scores for MarginMSE).</summary>
    public static double Compute(RerankerLoss loss, ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int groupSize, Span<float> gradient) => loss switch
    {
        RerankerLoss.Bce => BinaryCrossEntropy(logits, targets, gradient),
        RerankerLoss.Listwise => Listwise(logits, groupSize, gradient),
        RerankerLoss.MarginMse => MarginMse(logits, targets, groupSize, gradient),
        _ => throw new ArgumentOutOfRangeException(nameof(loss)),
    };
}
