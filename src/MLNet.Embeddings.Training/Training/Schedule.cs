namespace MLNet.Embeddings.Training;

/// <summary>The learning-rate multiplier of step <c>s</c> (0-based; the first optimiser step uses s = 0), HF formulas.</summary>
public static class Schedule
{
    /// <summary>Warm-up steps from a ratio, as HF: <c>ceil(totalSteps · ratio)</c>.</summary>
    public static int WarmupSteps(int totalSteps, double warmupRatio) => (int)Math.Ceiling(totalSteps * warmupRatio);

    /// <summary>Multiplier of the base learning rate at <paramref name="step"/>.</summary>
    public static double Factor(LearningRateSchedule kind, int step, int warmupSteps, int totalSteps)
    {
        if (step < warmupSteps) return (double)step / Math.Max(1, warmupSteps);
        double progress = (double)(step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps);
        return kind switch
        {
            LearningRateSchedule.Constant => 1.0,
            LearningRateSchedule.Linear => Math.Max(0.0, (double)(totalSteps - step) / Math.Max(1, totalSteps - warmupSteps)),
            LearningRateSchedule.Cosine => Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * progress))),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }
}
