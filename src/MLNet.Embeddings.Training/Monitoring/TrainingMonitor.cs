using System.Globalization;
using System.Text;

namespace MLNet.Embeddings.Training.Monitoring;

/// <summary>
/// A run's TensorBoard output and training-time checks (see <see cref="TrainerOptions.TensorBoardDirectory"/>,
/// <see cref="TrainerOptions.ProbeTexts"/>, <see cref="TrainerOptions.ProbePairs"/>): scalars for the loss, learning
/// rate, evaluations and checks; at each checkpoint the projector's files for the probe texts.
/// </summary>
internal sealed class TrainingMonitor : IDisposable
{
    readonly TrainerOptions _o;
    readonly TensorBoardEventWriter? _events;
    readonly List<int> _projected = new();

    public TrainingMonitor(TrainerOptions o)
    {
        _o = o;
        if (o.ProbeTexts is { Count: 1 }) throw new ConfigurationException(nameof(TrainerOptions.ProbeTexts), "needs at least 2 texts.");
        if (o.TensorBoardDirectory is { } dir) _events = new TensorBoardEventWriter(dir);
    }

    /// <summary>Whether there is anything to check.</summary>
    public bool HasChecks => _o.ProbeTexts is { Count: >= 2 } || _o.ProbePairs is { Count: > 0 };

    public void Scalar(string tag, double value, int step)
    {
        if (double.IsFinite(value)) _events?.AddScalar(tag, (float)value, step);
    }

    /// <summary>Rate multipliers per parameter group when discriminative rates are used; each is logged as its own rate.</summary>
    public IReadOnlyList<(string Group, float Scale)>? RateGroups { get; set; }

    public void Training(int step, double loss, float lr)
    {
        Scalar("train/loss", loss, step);
        Scalar("train/learning_rate", lr, step);
        if (RateGroups is { } groups)
            foreach (var (g, scale) in groups) Scalar("train/learning_rate/" + g, lr * scale, step);
    }

    public void Evaluation(int step, IReadOnlyDictionary<string, double> metrics)
    {
        foreach (var (k, v) in metrics) Scalar("eval/" + k, v, step);
    }

    /// <summary>Runs the checks on the model's current weights; returns the metrics (empty without probes).</summary>
    public Dictionary<string, double> Check(SentenceEncoder model, int step, CancellationToken ct)
    {
        var m = new Dictionary<string, double>();
        if (_o.ProbeTexts is { Count: >= 2 } texts)
        {
            var (cos, spread) = EmbeddingChecks.ProbeSet(model.Encode(texts, cancellationToken: ct));
            m["probe_mean_cosine"] = cos; m["probe_spread"] = spread;
            if (cos >= _o.CollapseThreshold)
                _o.Log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                    $"warning: step {step}: the probe texts' embeddings cluster tightly (mean pairwise cosine {cos:F3} ≥ {_o.CollapseThreshold:F2}, spread {spread:F3}): the training pairs may not be contrastive enough."));
        }
        if (_o.ProbePairs is { Count: > 0 } pairs)
        {
            var a = model.Encode(pairs.Select(p => p.Text1).ToList(), cancellationToken: ct);
            var b = model.Encode(pairs.Select(p => p.Text2).ToList(), cancellationToken: ct);
            var (sim, dis) = EmbeddingChecks.Pairs(pairs, a, b);
            m["similar_mean_cosine"] = sim; m["dissimilar_mean_cosine"] = dis; m["similarity_gap"] = sim - dis;
        }
        foreach (var (k, v) in m) Scalar("checks/" + k, v, step);
        return m;
    }

    /// <summary>
    /// Writes the projector's files for the probe texts at <paramref name="step"/>: <c>projector/step-N/tensors.tsv</c>
    /// and <c>metadata.tsv</c>, and rewrites <c>projector_config.pbtxt</c> listing every step so far.
    /// </summary>
    public void Projector(SentenceEncoder model, int step, CancellationToken ct)
    {
        if (_o.TensorBoardDirectory is not { } dir || _o.ProbeTexts is not { Count: > 0 } texts || _projected.Contains(step)) return;
        var vectors = model.Encode(texts, cancellationToken: ct);
        string rel = $"projector/step-{step}";
        Directory.CreateDirectory(Path.Combine(dir, rel));
        var t = new StringBuilder();
        foreach (var v in vectors) t.AppendLine(string.Join('\t', v.Select(x => x.ToString("R", CultureInfo.InvariantCulture))));
        var md = new StringBuilder();
        foreach (var s in texts) md.AppendLine(Clean(s));
        AtomicWrite(Path.Combine(dir, rel, "tensors.tsv"), t.ToString());
        AtomicWrite(Path.Combine(dir, rel, "metadata.tsv"), md.ToString());
        _projected.Add(step);
        var cfg = new StringBuilder();
        foreach (int s in _projected)
            cfg.Append("embeddings {\n  tensor_name: \"step-").Append(s).Append("\"\n  tensor_path: \"projector/step-").Append(s)
               .Append("/tensors.tsv\"\n  metadata_path: \"projector/step-").Append(s).Append("/metadata.tsv\"\n}\n");
        AtomicWrite(Path.Combine(dir, "projector_config.pbtxt"), cfg.ToString());
    }

    /// <summary>A single-column metadata file has no header; tabs and line breaks inside a text become spaces.</summary>
    static string Clean(string s) => s.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');

    static void AtomicWrite(string path, string text)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, text, new UTF8Encoding(false));
        File.Move(tmp, path, overwrite: true);
    }

    public void Dispose() => _events?.Dispose();
}
