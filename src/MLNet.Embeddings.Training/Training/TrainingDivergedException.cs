namespace MLNet.Embeddings.Training;

/// <summary>The loss became NaN or infinite; training stopped without applying that step.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(int step, float loss, string? lastCheckpoint)
        : base($"Loss became {loss} at step {step}; training stopped before applying it. " +
               (lastCheckpoint is null ? "No checkpoint was written." : $"Last checkpoint: {lastCheckpoint}.") +
               " Try a lower learning rate, warm-up, or gradient clipping.")
    { Step = step; LastCheckpoint = lastCheckpoint; }
    /// <summary>The step whose loss was not finite (1-based).</summary>
    public int Step { get; }
    /// <summary>The newest checkpoint folder, or null.</summary>
    public string? LastCheckpoint { get; }
}
