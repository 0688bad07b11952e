namespace MLNet.Embeddings.Training;

/// <summary>What one call of <see cref="SentenceEncoderTrainer.Fit(string, CancellationToken)"/> did.</summary>
public sealed class TrainingSummary
{
    /// <summary>The step training started from (0, or the step of the checkpoint it resumed).</summary>
    public int StartStep { get; init; }
    /// <summary>Optimiser steps done when the call ended (from step 0 of the run, not of this call).</summary>
    public int Step { get; init; }
    /// <summary>Optimiser steps planned for the run.</summary>
    public int TotalSteps { get; init; }
    /// <summary>Steps this call ran (0 when a resumed run was already finished).</summary>
    public int StepsRun => Step - StartStep;
    /// <summary>The checkpoint folder training resumed from, or null.</summary>
    public string? ResumedFrom { get; init; }
    /// <summary>Mean loss of the last logged window (the last <c>loss</c> line of metrics.jsonl), or null when no step ran.</summary>
    public double? FinalLoss { get; init; }
    /// <summary>The evaluator's primary metric (e.g. <c>ndcg@10</c>), or null without an evaluator.</summary>
    public string? PrimaryMetric { get; init; }
    /// <summary>The best value of <see cref="PrimaryMetric"/> over the run, or null before any evaluation.</summary>
    public double? BestMetric { get; init; }
    /// <summary>The step of <see cref="BestMetric"/> (the weights kept when LoadBestModelAtEnd), or null.</summary>
    public int? BestStep { get; init; }
    /// <summary>True when the early-stopping patience ended the run before <see cref="TotalSteps"/>.</summary>
    public bool StoppedEarly { get; init; }
}
