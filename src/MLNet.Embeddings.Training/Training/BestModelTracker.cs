using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training;

/// <summary>
/// Best-model selection and early stopping: after each evaluation, whether its primary metric is the best so far (then
/// its weights are kept when <see cref="TrainerOptions.LoadBestModelAtEnd"/>), the count of evaluations without
/// improvement, and the restore at the end. The best metric, its step and the counter live in the checkpointed
/// <see cref="TrainerState"/>; the best weights travel in the checkpoint's <c>best.bin</c>.
/// </summary>
internal sealed class BestModelTracker(TrainerOptions options, IReadOnlyList<Parameter> parameters)
{
    IReadOnlyDictionary<string, double>? _bestMetrics;

    /// <summary>Weights of the best evaluation (kept only with <see cref="TrainerOptions.LoadBestModelAtEnd"/>), or null.</summary>
    public float[][]? Weights { get; set; }

    /// <summary>Metrics of the last evaluation, or null.</summary>
    public IReadOnlyDictionary<string, double>? Last { get; private set; }

    /// <summary>Whether the last evaluation was the best so far.</summary>
    public bool LastIsBest { get; private set; }

    /// <summary>Metrics of the weights the run ends with (the best evaluation when it is restored).</summary>
    public IReadOnlyDictionary<string, double>? Final => options.LoadBestModelAtEnd && _bestMetrics is not null ? _bestMetrics : Last;

    /// <summary>Records an evaluation whose primary metric is <paramref name="primary"/>; returns whether to stop early.</summary>
    public bool Record(TrainerState state, IReadOnlyDictionary<string, double> metrics, double primary)
    {
        Last = metrics;
        LastIsBest = state.BestMetric is null || primary > state.BestMetric;
        if (LastIsBest)
        {
            state.BestMetric = primary; state.BestStep = state.Step; state.EvalsWithoutImprovement = 0;
            _bestMetrics = metrics;
            if (options.LoadBestModelAtEnd) Weights = parameters.Select(p => (float[])p.Value.Clone()).ToArray();
        }
        else state.EvalsWithoutImprovement++;
        return options.EarlyStoppingPatience is { } patience && state.EvalsWithoutImprovement >= patience;
    }

    /// <summary>Copies the best weights back into the parameters (host side) when the options ask for it.</summary>
    public void RestoreIfAsked()
    {
        if (Weights is null || !options.LoadBestModelAtEnd) return;
        for (int i = 0; i < parameters.Count; i++) { Weights[i].CopyTo(parameters[i].Value, 0); parameters[i].MarkChanged(); }
    }
}
