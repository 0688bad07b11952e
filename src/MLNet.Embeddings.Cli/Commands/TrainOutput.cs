using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>train</c>'s output folder rules and its closing lines: a fresh run refuses a non-empty <c>--output</c> (two runs
/// would mix in one metrics.jsonl and a later <c>--resume</c> would continue the wrong one); the summary never holds NaN.
/// </summary>
internal static class TrainOutput
{
    /// <summary>Fails fast, before the model loads, when <paramref name="dir"/> cannot be trained into as asked.</summary>
    public static void Check(string dir, bool resume, bool overwrite)
    {
        if (resume && overwrite)
            throw new ConfigurationException("--overwrite", "cannot be combined with --resume (one continues the run in --output, the other starts it over).");
        if (overwrite || !Directory.Exists(dir)) return;
        var entries = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (entries.Count == 0) return;
        bool hasCheckpoint = entries.Any(e => e!.StartsWith("checkpoint-", StringComparison.Ordinal) && int.TryParse(e["checkpoint-".Length..], out _));
        if (resume && hasCheckpoint) return;
        string shown = string.Join(", ", entries.Take(4)) + (entries.Count > 4 ? $", … ({entries.Count} entries)" : "");
        if (resume)
            throw new ConfigurationException("--resume", $"'{dir}' holds no checkpoint-N folder to resume from ({shown}); the run there was trained without --checkpoint-steps. Pass --overwrite to start over in it, or choose an empty --output.");
        throw new ConfigurationException("--output", $"'{dir}' is not empty ({shown}): pass --resume to continue the run in it, --overwrite to start over (deletes its metrics.jsonl and checkpoints), or choose an empty folder.");
    }

    /// <summary>The closing stderr lines: nothing to do, or the best evaluation and where its weights went.</summary>
    public static void Report(TrainingSummary run, string dir)
    {
        if (run.StepsRun == 0 && run.ResumedFrom is { } from)
        {
            string where = run.Step == run.TotalSteps ? $"already finished (step {run.Step} of {run.TotalSteps})" : $"at step {run.Step}, and this run plans {run.TotalSteps} steps";
            Console.Error.WriteLine($"train: nothing to train: the run in {dir} is {where} ({Path.GetFileName(from)}). " +
                                    "Raise --max-steps or --epochs to continue it, or pass --overwrite to start over.");
        }
        if (run.BestStep is { } best && run.PrimaryMetric is { } name && run.BestMetric is { } value)
            Console.Error.WriteLine($"train: best {name} {value:F4} at step {best}; the model saved in {dir} has that step's weights.");
    }

    /// <summary>The stdout JSON line (no NaN: a value that does not exist is null).</summary>
    public static Dictionary<string, object?> Summary(TrainingSummary run, string dir, string loss) => new()
    {
        ["output"] = dir,
        ["loss"] = loss,
        ["steps"] = run.Step,
        ["steps_run"] = run.StepsRun,
        ["final_loss"] = run.FinalLoss is { } l && double.IsFinite(l) ? l : null,
        ["best_step"] = run.BestStep,
        ["best_metric"] = run.PrimaryMetric is { } n && run.BestMetric is { } v && double.IsFinite(v) ? new Dictionary<string, double> { [n] = v } : null,
    };
}
