using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training;

/// <summary>
/// Checkpoints of a run and exact resume: which checkpoint to continue from (<see cref="TrainerOptions.ResumeFrom"/>, or
/// the newest in the output folder with <see cref="TrainerOptions.Resume"/>), loading it into the engine, and writing one
/// every <see cref="TrainerOptions.CheckpointSteps"/> steps. Data order and dropout follow from step and seed, so a
/// resumed run repeats the steps an uninterrupted one takes.
/// </summary>
internal sealed class RunCheckpoints(TrainerOptions options, ITrainingEngine engine)
{
    /// <summary>The checkpoint the run continued from, or null.</summary>
    public string? ResumedFrom { get; private set; }

    /// <summary>The newest checkpoint written or resumed from (named when the loss diverges), or null.</summary>
    public string? Last { get; private set; }

    /// <summary>
    /// Loads the checkpoint to resume from into the engine and <paramref name="best"/>; returns its state, or null for a
    /// fresh run (none asked for, or <see cref="TrainerOptions.Resume"/> with no checkpoint yet).
    /// </summary>
    public TrainerState? Resume(BestModelTracker best)
    {
        string? folder = options.ResumeFrom;
        if (folder is null && options.Resume)
        {
            if (options.OutputDirectory is null) throw new ConfigurationException("Resume", "needs OutputDirectory (where the checkpoints are).");
            var list = Checkpoint.List(options.OutputDirectory);
            if (list.Count == 0) return null; // nothing to resume: start fresh
            folder = list[^1].Path;
        }
        if (folder is null) return null;
        var state = Checkpoint.Read(folder, engine.Parameters, engine.Optimizer, out var weights);
        best.Weights = weights;
        engine.SyncFromHost(optimizer: true);
        if (state.Seed != options.Seed) throw new ConfigurationException("Seed", $"checkpoint {folder} was made with seed {state.Seed}, this run uses {options.Seed}; resume with the same seed.");
        Last = ResumedFrom = folder;
        return state;
    }

    /// <summary>Writes a checkpoint when <paramref name="state"/>'s step is due and there is an output folder.</summary>
    public void SaveIfDue(TrainerState state, float[][]? best)
    {
        if (options.CheckpointSteps is not (> 0 and var every) || state.Step % every != 0 || options.OutputDirectory is not { } dir) return;
        engine.SyncToHost(optimizer: true);
        Last = Checkpoint.Write(dir, state, engine.Parameters, engine.Optimizer, best, options.CheckpointsToKeep);
    }
}
