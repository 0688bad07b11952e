namespace MLNet.Embeddings.Training;

/// <summary>Shape of the learning rate over training (Hugging Face's get_*_schedule_with_warmup).</summary>
public enum LearningRateSchedule
{
    /// <summary>Linear warm-up, then constant.</summary>
    Constant,
    /// <summary>Linear warm-up, then linear decay to 0 at the last step (sentence-transformers / HF default).</summary>
    Linear,
    /// <summary>Linear warm-up, then half a cosine wave down to 0.</summary>
    Cosine,
}
