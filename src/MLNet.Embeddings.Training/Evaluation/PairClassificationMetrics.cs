namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Metrics for pairs labelled 1 (similar) or 0, given a score where higher means more similar. The best-threshold
/// searches follow sentence-transformers' <c>BinaryClassificationEvaluator</c> (scores sorted descending, stable;
/// the threshold is the midpoint between neighbouring scores); average precision follows scikit-learn's
/// <c>average_precision_score</c> (step-wise, tied scores form one step).
/// </summary>
public static class PairClassificationMetrics
{
    /// <summary>The best accuracy of "score &gt; threshold ⇒ 1" over all thresholds, and that threshold.</summary>
    public static (double Accuracy, double Threshold) BestAccuracy(IReadOnlyList<double> scores, IReadOnlyList<int> labels)
    {
        var rows = Sorted(scores, labels);
        int n = rows.Length;
        int positivesSoFar = 0, remainingNegatives = 0;
        foreach (var l in labels) if (l == 0) remainingNegatives++;
        double best = 0, threshold = -1;
        for (int i = 0; i < n - 1; i++)
        {
            if (rows[i].Label == 1) positivesSoFar++; else remainingNegatives--;
            double acc = (positivesSoFar + remainingNegatives) / (double)n;
            if (acc > best) { best = acc; threshold = (rows[i].Score + rows[i + 1].Score) / 2; }
        }
        return (best, threshold);
    }

    /// <summary>The best F1 over all thresholds, with its precision, recall and threshold.</summary>
    public static (double F1, double Precision, double Recall, double Threshold) BestF1(IReadOnlyList<double> scores, IReadOnlyList<int> labels)
    {
        var rows = Sorted(scores, labels);
        int totalPositives = 0;
        foreach (var l in labels) totalPositives += l;
        double bestF1 = 0, bestP = 0, bestR = 0, threshold = 0;
        int extracted = 0, correct = 0;
        for (int i = 0; i < rows.Length - 1; i++)
        {
            extracted++;
            if (rows[i].Label == 1) correct++;
            if (correct == 0) continue;
            double p = correct / (double)extracted, r = correct / (double)totalPositives;
            double f1 = 2 * p * r / (p + r);
            if (f1 > bestF1) { bestF1 = f1; bestP = p; bestR = r; threshold = (rows[i].Score + rows[i + 1].Score) / 2; }
        }
        return (bestF1, bestP, bestR, threshold);
    }

    /// <summary>Average precision: Σ (R_n − R_{n−1}) P_n over the distinct score thresholds, highest first. NaN without positives.</summary>
    public static double AveragePrecision(IReadOnlyList<double> scores, IReadOnlyList<int> labels)
    {
        var rows = Sorted(scores, labels);
        int totalPositives = 0;
        foreach (var l in labels) totalPositives += l;
        if (totalPositives == 0) return double.NaN;
        double ap = 0, prevRecall = 0;
        int tp = 0, seen = 0;
        for (int i = 0; i < rows.Length;)
        {
            int j = i;
            while (j < rows.Length && rows[j].Score == rows[i].Score) { tp += rows[j].Label; seen++; j++; }
            double recall = tp / (double)totalPositives, precision = tp / (double)seen;
            ap += (recall - prevRecall) * precision;
            prevRecall = recall;
            i = j;
        }
        return ap;
    }

    private static (double Score, int Label)[] Sorted(IReadOnlyList<double> scores, IReadOnlyList<int> labels)
    {
        if (scores.Count != labels.Count) throw new ArgumentException($"Expected one label per score ({scores.Count}), found {labels.Count}.", nameof(labels));
        if (scores.Count == 0) throw new ArgumentException("Expected at least one pair.", nameof(scores));
        var rows = new (double Score, int Label)[scores.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            if (labels[i] is not (0 or 1)) throw new ArgumentException($"Label {i} is {labels[i]}; expected 0 or 1.", nameof(labels));
            if (double.IsNaN(scores[i])) throw new ArgumentException($"Score {i} is NaN.", nameof(scores));
            rows[i] = (scores[i], labels[i]);
        }
        // Stable descending sort (Python's sorted(reverse=True) keeps the input order of equal scores).
        var index = Enumerable.Range(0, rows.Length).ToArray();
        return index.OrderByDescending(i => rows[i].Score).Select(i => rows[i]).ToArray();
    }
}
