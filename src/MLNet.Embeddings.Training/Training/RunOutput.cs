using System.Diagnostics;
using System.Text.Json;

namespace MLNet.Embeddings.Training;

/// <summary>
/// A run's output folder and its <c>metrics.jsonl</c> log: the policy for a folder that is not empty, the training
/// and evaluation lines, and trimming the log back to a resumed step. Without an output folder it writes nothing.
/// </summary>
internal sealed class RunOutput(TrainerOptions options)
{
    readonly Stopwatch _window = new();
    int _windowExamples;

    string? Dir => options.OutputDirectory;

    /// <summary>
    /// A fresh run refuses a folder that is not empty (its metrics.jsonl would mix two runs and a later resume would
    /// continue the wrong one) unless <see cref="TrainerOptions.OverwriteOutputDirectory"/>, which deletes the old
    /// run's log and checkpoints first. A resumed run keeps the folder.
    /// </summary>
    public void Prepare(bool resumed)
    {
        if (Dir is not { } dir) return;
        if (!resumed) Clear(dir);
        Directory.CreateDirectory(dir);
    }

    void Clear(string dir)
    {
        if (!Directory.Exists(dir)) return;
        var entries = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (entries.Count == 0) return;
        if (!options.OverwriteOutputDirectory)
        {
            string shown = string.Join(", ", entries.Take(4)) + (entries.Count > 4 ? $", … ({entries.Count} entries)" : "");
            string why = options.Resume ? "holds no checkpoint-N folder to resume from" : "is not empty";
            throw new ConfigurationException("OutputDirectory",
                $"'{dir}' {why} ({shown}): resume the run in it (Resume, with checkpoints), set OverwriteOutputDirectory to start over there, or choose an empty folder.");
        }
        foreach (var (_, path) in Checkpoint.List(dir)) Directory.Delete(path, true);
        File.Delete(Path.Combine(dir, "metrics.jsonl"));
    }

    /// <summary>Starts the throughput window (examples per second of the next training line).</summary>
    public void StartWindow() => _window.Restart();

    /// <summary>Counts the examples of one step into the window.</summary>
    public void Count(int examples) => _windowExamples += examples;

    /// <summary>Writes a training line from the window in <paramref name="state"/>, resets it; returns the line's loss (the window's mean).</summary>
    public double LogTraining(TrainerState state, double epoch, float lr)
    {
        double seconds = _window.Elapsed.TotalSeconds;
        double loss = state.WindowLoss / Math.Max(1, state.WindowSteps);
        Append(new Dictionary<string, object>
        {
            ["step"] = state.Step,
            ["epoch"] = Math.Round(epoch, 4),
            ["loss"] = loss,
            ["learning_rate"] = lr,
            ["examples_per_second"] = seconds > 0 ? Math.Round(_windowExamples / seconds, 2) : 0,
        });
        state.WindowLoss = 0; state.WindowSteps = 0; _windowExamples = 0;
        _window.Restart();
        return loss;
    }

    /// <summary>Writes an evaluation line.</summary>
    public void LogEvaluation(int step, IReadOnlyDictionary<string, double> metrics) =>
        Append(new Dictionary<string, object> { ["step"] = step, ["eval"] = Finite(metrics) });

    /// <summary>Writes a line of training-time checks.</summary>
    public void LogChecks(int step, IReadOnlyDictionary<string, double> checks) =>
        Append(new Dictionary<string, object> { ["step"] = step, ["checks"] = Finite(checks) });

    /// <summary>JSON has no NaN or infinity: a metric without a finite value is written as null.</summary>
    static Dictionary<string, double?> Finite(IReadOnlyDictionary<string, double> metrics) =>
        metrics.ToDictionary(kv => kv.Key, kv => double.IsFinite(kv.Value) ? kv.Value : (double?)null);

    void Append(Dictionary<string, object> line)
    {
        if (Dir is not { } dir) return;
        File.AppendAllText(Path.Combine(dir, "metrics.jsonl"), JsonSerializer.Serialize(line) + "\n");
    }

    /// <summary>After a resume, drops log lines of steps the resumed run will redo (temp file, then rename).</summary>
    public void TrimTo(int step)
    {
        if (Dir is not { } dir) return;
        string path = Path.Combine(dir, "metrics.jsonl");
        if (!File.Exists(path)) return;
        var keep = File.ReadAllLines(path).Where(l =>
        {
            try { using var d = JsonDocument.Parse(l); return d.RootElement.GetProperty("step").GetInt32() <= step; }
            catch (JsonException) { return false; }
        });
        string tmp = path + ".tmp";
        File.WriteAllLines(tmp, keep);
        File.Move(tmp, path, true);
    }
}
