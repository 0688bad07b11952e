using System.Globalization;
using System.Text;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// The same evaluation of a baseline and of a (fine-tuned) model, side by side: a Markdown table
/// <c>| metric | baseline | model | Δ |</c> and JSON <c>{"baseline": {...}, "model": {...}}</c>.
/// </summary>
/// <example>
/// <code>
/// var report = ComparisonReport.Run(evaluator, SentenceEncoder.Load("base"), SentenceEncoder.Load("out/final"));
/// Console.WriteLine(report.ToMarkdown());
/// </code>
/// </example>
public sealed class ComparisonReport
{
    /// <summary>Wraps two metric dictionaries (typically from the same evaluator).</summary>
    public ComparisonReport(IReadOnlyDictionary<string, double> baseline, IReadOnlyDictionary<string, double> model, string? primaryMetric = null)
    {
        Baseline = baseline ?? throw new ArgumentNullException(nameof(baseline));
        Model = model ?? throw new ArgumentNullException(nameof(model));
        PrimaryMetric = primaryMetric;
    }

    /// <summary>Runs <paramref name="evaluator"/> on both models.</summary>
    public static ComparisonReport Run(IEvaluator evaluator, SentenceEncoder baseline, SentenceEncoder model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        var before = evaluator.Evaluate(baseline, cancellationToken);
        var after = evaluator.Evaluate(model, cancellationToken);
        return new ComparisonReport(before, after, evaluator.PrimaryMetric);
    }

    /// <summary>Metrics of the baseline.</summary>
    public IReadOnlyDictionary<string, double> Baseline { get; }
    /// <summary>Metrics of the model.</summary>
    public IReadOnlyDictionary<string, double> Model { get; }
    /// <summary>The evaluator's primary metric (shown in bold in Markdown), or null.</summary>
    public string? PrimaryMetric { get; }

    /// <summary>model − baseline for every metric both have.</summary>
    public IReadOnlyDictionary<string, double> Delta()
        => Names().Where(n => Baseline.ContainsKey(n) && Model.ContainsKey(n)).ToDictionary(n => n, n => Model[n] - Baseline[n]);

    /// <summary>The Markdown table, one row per metric (model's order, then any baseline-only metrics).</summary>
    public string ToMarkdown(int digits = 4)
    {
        var sb = new StringBuilder();
        sb.Append("| metric | baseline | model | Δ |\n| --- | ---: | ---: | ---: |\n");
        foreach (var name in Names())
        {
            bool hasB = Baseline.TryGetValue(name, out double b), hasM = Model.TryGetValue(name, out double m);
            string label = Escape(name);
            if (name == PrimaryMetric) label = $"**{label}**";
            string delta = hasB && hasM && double.IsFinite(b) && double.IsFinite(m)
                ? (m - b >= 0 ? "+" : "-") + Math.Abs(m - b).ToString("F" + digits, CultureInfo.InvariantCulture)
                : "";
            sb.Append($"| {label} | {Format(hasB, b, digits)} | {Format(hasM, m, digits)} | {delta} |\n");
        }
        return sb.ToString();
    }

    /// <summary><c>{"baseline": {...}, "model": {...}}</c>.</summary>
    public string ToJson() => MetricsJson.Serialize(Baseline, Model);

    private IEnumerable<string> Names() => Model.Keys.Concat(Baseline.Keys.Where(k => !Model.ContainsKey(k)));

    private static string Format(bool has, double v, int digits)
        => !has ? "" : double.IsFinite(v) ? v.ToString("F" + digits, CultureInfo.InvariantCulture) : "n/a";

    private static string Escape(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);
}
