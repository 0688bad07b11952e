using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training;

/// <summary>Test seam (internal, for the test project): one batch's forward, loss and backward outside a run.</summary>
internal static class TrainerTestSeam
{
    /// <summary>
    /// <see cref="BatchPass.Run"/> of <paramref name="trainer"/>'s loss on a fresh managed engine, accumulating into the
    /// model's own gradients; <paramref name="maxLength"/> caps the tokens per text.
    /// </summary>
    public static float RunBatch(this SentenceEncoderTrainer trainer, ColumnPlan plan, IReadOnlyList<TrainingExample> rows, int[] batch, ulong seed, float gradScale, int maxLength)
    {
        var o = trainer.Options;
        using var engine = ManagedTrainingEngine.Factory.Create(trainer.Model, new TrainerOptions { WeightDecay = o.WeightDecay, SparseUpdates = o.SparseUpdates });
        return new BatchPass(trainer.Model, trainer.Loss, trainer.Settings.Pooling, maxLength).Run(engine, plan, rows, batch, seed, gradScale);
    }
}
