using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>train</c>'s stderr lines: one per metrics.jsonl training line, with the same loss (the mean since the previous
/// line), and one per evaluation with its metrics, the primary one first and marked when it is the best so far.
/// </summary>
internal sealed class TrainProgressLines(TextWriter? writer = null) : IProgress<TrainingProgress>
{
    const int MetricsShown = 6;
    readonly TextWriter _w = writer ?? Console.Error;

    public void Report(TrainingProgress p)
    {
        if (p.LoggedLoss is { } loss)
            _w.WriteLine($"step {p.Step}/{p.TotalSteps}  epoch {p.Epoch:F2}  loss {loss:F4}  lr {p.LearningRate:G3}");
        if (p.Evaluation is { } metrics)
            _w.WriteLine(EvaluationLine(p.Step, metrics, p.PrimaryMetric, p.IsBest));
    }

    internal static string EvaluationLine(int step, IReadOnlyDictionary<string, double> metrics, string? primary, bool best)
    {
        var parts = new List<string>();
        if (primary is not null && metrics.TryGetValue(primary, out double v))
            parts.Add($"{primary} {Format(v)}" + (best ? " (best so far)" : ""));
        parts.AddRange(metrics.Where(kv => kv.Key != primary).Take(MetricsShown - parts.Count).Select(kv => $"{kv.Key} {Format(kv.Value)}"));
        return $"eval step {step}: " + string.Join(", ", parts);
    }

    static string Format(double v) => double.IsFinite(v) ? v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "n/a";
}
