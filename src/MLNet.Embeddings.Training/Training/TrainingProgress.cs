namespace MLNet.Embeddings.Training;

/// <summary>Where training stands after a step.</summary>
/// <param name="Step">Optimiser steps done.</param>
/// <param name="TotalSteps">Optimiser steps planned.</param>
/// <param name="Epoch">Fractional epoch.</param>
/// <param name="Loss">Loss of the last step.</param>
/// <param name="LearningRate">Learning rate used by the last step.</param>
public sealed record TrainingProgress(int Step, int TotalSteps, double Epoch, float Loss, float LearningRate)
{
    /// <summary>
    /// Set on the steps that wrote a training line to metrics.jsonl: its <c>loss</c>, the mean over the steps since the
    /// previous line (<see cref="TrainerOptions.LoggingSteps"/>); null on the other steps.
    /// </summary>
    public double? LoggedLoss { get; init; }
    /// <summary>Set on the steps that evaluated: every metric the evaluator returned (as logged); null otherwise.</summary>
    public IReadOnlyDictionary<string, double>? Evaluation { get; init; }
    /// <summary>The evaluator's primary metric name, with <see cref="Evaluation"/>.</summary>
    public string? PrimaryMetric { get; init; }
    /// <summary>With <see cref="Evaluation"/>: whether this evaluation is the best so far.</summary>
    public bool IsBest { get; init; }
}
