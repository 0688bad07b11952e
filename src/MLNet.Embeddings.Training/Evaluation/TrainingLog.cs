using System.Text.Json;
using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// The trainer's metrics log (JSONL) as series over steps. Training lines look like
/// <c>{"step": 10, "epoch": 0.5, "loss": 0.73, "learning_rate": 1.9e-5, "examples_per_second": 120.5}</c>; evaluation
/// lines like <c>{"step": 50, "eval": {"ndcg@10": 0.41}}</c> (nested objects inside <c>eval</c> are flattened to
/// <c>name/metric</c>). Other numeric fields are kept as series too. An unreadable last line (a run cut off while
/// writing) is ignored; an unreadable line elsewhere is an error.
/// </summary>
public sealed class TrainingLog
{
    private TrainingLog(Dictionary<string, List<(double Step, double Value)>> train, Dictionary<string, List<(double Step, double Value)>> eval)
    {
        Train = train.ToDictionary(p => p.Key, p => (IReadOnlyList<(double Step, double Value)>)p.Value);
        Eval = eval.ToDictionary(p => p.Key, p => (IReadOnlyList<(double Step, double Value)>)p.Value);
    }

    /// <summary>Numeric fields of training lines (loss, learning_rate, epoch, …) by name, in log order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<(double Step, double Value)>> Train { get; }
    /// <summary>Evaluation metrics by name, in log order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<(double Step, double Value)>> Eval { get; }

    /// <summary>Reads a log file.</summary>
    public static TrainingLog Read(string path) => Parse(File.ReadAllLines(path), path);

    /// <summary>Parses log lines; <paramref name="source"/> names the input in errors.</summary>
    public static TrainingLog Parse(IReadOnlyList<string> lines, string source = "<log>")
    {
        var train = new Dictionary<string, List<(double, double)>>(StringComparer.Ordinal);
        var eval = new Dictionary<string, List<(double, double)>>(StringComparer.Ordinal);
        int last = lines.Count - 1;
        while (last >= 0 && string.IsNullOrWhiteSpace(lines[last])) last--;
        for (int i = 0; i <= last; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(lines[i]); }
            catch (JsonException ex)
            {
                if (i == last) break; // a partly written final line
                throw new DatasetFormatException(source, i + 1, null, DatasetFormatException.InvalidJson(ex), ex);
            }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    throw new DatasetFormatException(source, i + 1, null, $"expected a JSON object, found {root.ValueKind}.");
                if (!root.TryGetProperty("step", out var stepEl) || stepEl.ValueKind != JsonValueKind.Number)
                    throw new DatasetFormatException(source, i + 1, "step", "expected a numeric step.");
                double step = stepEl.GetDouble();
                foreach (var p in root.EnumerateObject())
                {
                    if (p.Name == "step") continue;
                    if (p.Name == "eval" && p.Value.ValueKind == JsonValueKind.Object) AddEval(eval, "", p.Value, step);
                    else if (p.Value.ValueKind == JsonValueKind.Number) Add(train, p.Name, step, p.Value.GetDouble());
                }
            }
        }
        return new TrainingLog(train, eval);
    }

    private static void AddEval(Dictionary<string, List<(double, double)>> eval, string prefix, JsonElement obj, double step)
    {
        foreach (var p in obj.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.Number) Add(eval, prefix + p.Name, step, p.Value.GetDouble());
            else if (p.Value.ValueKind == JsonValueKind.Object) AddEval(eval, prefix + p.Name + "/", p.Value, step);
        }
    }

    private static void Add(Dictionary<string, List<(double, double)>> series, string name, double step, double value)
    {
        if (!double.IsFinite(value)) return;
        if (!series.TryGetValue(name, out var list)) series[name] = list = new List<(double, double)>();
        list.Add((step, value));
    }
}
