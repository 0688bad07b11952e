using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Training.Training;

/// <summary>Settings of <see cref="SentenceEncoderTrainer"/>; defaults follow sentence-transformers' trainer.</summary>
public sealed class TrainerOptions
{
    /// <summary>Peak learning rate (2e-5).</summary>
    public float LearningRate { get; set; } = 2e-5f;
    /// <summary>Rows per batch (32).</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>Passes over the data (1); ignored when <see cref="MaxSteps"/> is set.</summary>
    public int Epochs { get; set; } = 1;
    /// <summary>Stop after this many optimiser steps (runs as many epochs as needed); null trains <see cref="Epochs"/>.</summary>
    public int? MaxSteps { get; set; }
    /// <summary>Warm-up as a fraction of all steps (0.1), used when <see cref="WarmupSteps"/> is null.</summary>
    public double WarmupRatio { get; set; } = 0.1;
    /// <summary>Warm-up steps; wins over <see cref="WarmupRatio"/>.</summary>
    public int? WarmupSteps { get; set; }
    /// <summary>Learning-rate schedule after warm-up (linear).</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Linear;
    /// <summary>AdamW decoupled weight decay (0.01); biases and LayerNorm weights are never decayed.</summary>
    public float WeightDecay { get; set; } = 0.01f;
    /// <summary>AdamW epsilon (1e-8, torch and Hugging Face default).</summary>
    public float AdamEpsilon { get; set; } = 1e-8f;
    /// <summary>
    /// Update embedding tables only in the rows a step looked up (lazy Adam, much faster for large static word-vector
    /// tables). False updates every row as torch.optim.AdamW does, so runs match PyTorch. Null (default): lazy for
    /// static word-vector models, dense for transformers.
    /// </summary>
    public bool? SparseUpdates { get; set; }
    /// <summary>Clip gradients to this global L2 norm (1.0); null or 0 disables.</summary>
    public double? MaxGradNorm { get; set; } = 1.0;
    /// <summary>Batches whose gradients are summed (and averaged) into one optimiser step (1).</summary>
    public int GradientAccumulationSteps { get; set; } = 1;
    /// <summary>Seed of shuffling and dropout (42).</summary>
    public int Seed { get; set; } = 42;
    /// <summary>Shuffle the rows each epoch (seeded); false keeps the file order for reproducible runs.</summary>
    public bool Shuffle { get; set; } = true;
    /// <summary>Keep every text at most once per batch (sentence-transformers' NoDuplicatesBatchSampler).</summary>
    public bool NoDuplicates { get; set; }
    /// <summary>Drop a final incomplete batch each epoch.</summary>
    public bool DropLast { get; set; }
    /// <summary>Dropout for hidden states and attention during training; null keeps the model's config.</summary>
    public float? Dropout { get; set; }
    /// <summary>Token cap per text; null uses the model's max_seq_length.</summary>
    public int? MaxLength { get; set; }
    /// <summary>Hard negatives per row for losses that take them; null uses as many as every row has.</summary>
    public int? NegativesPerRow { get; set; }
    /// <summary>Divide scores by the largest one when it exceeds 1 (STS 0..5 → 0..1) (true).</summary>
    public bool NormalizeScores { get; set; } = true;

    /// <summary>Folder for metrics.jsonl, checkpoints and the final model; null writes nothing.</summary>
    public string? OutputDirectory { get; set; }
    /// <summary>Save the final model into <see cref="OutputDirectory"/> (sentence-transformers layout) (true).</summary>
    public bool SaveModel { get; set; } = true;
    /// <summary>Write a checkpoint every N steps; null or 0 writes none.</summary>
    public int? CheckpointSteps { get; set; }
    /// <summary>Checkpoints kept (the newest; 2).</summary>
    public int CheckpointsToKeep { get; set; } = 2;
    /// <summary>Continue from the newest checkpoint in <see cref="OutputDirectory"/> (or <see cref="ResumeFrom"/>).</summary>
    public bool Resume { get; set; }
    /// <summary>A specific checkpoint folder to continue from.</summary>
    public string? ResumeFrom { get; set; }
    /// <summary>Write a metrics line every N steps (10).</summary>
    public int LoggingSteps { get; set; } = 10;

    /// <summary>Evaluator run every <see cref="EvalSteps"/> steps and at the end, or null.</summary>
    public IEvaluator? Evaluator { get; set; }
    /// <summary>Evaluate every N steps; null evaluates at the end of each epoch.</summary>
    public int? EvalSteps { get; set; }
    /// <summary>Stop when the primary metric has not improved for this many evaluations; null never stops early.</summary>
    public int? EarlyStoppingPatience { get; set; }
    /// <summary>Restore the weights of the best evaluation at the end (true; needs an evaluator).</summary>
    public bool LoadBestModelAtEnd { get; set; } = true;

    /// <summary>Pooling forward/backward; null uses the model's own pooling and normalisation.</summary>
    public ITrainingPooling? Pooling { get; set; }
    /// <summary>Receives progress after every step.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Engine that runs forward, backward and the optimiser: <see cref="TrainingBackend.Managed"/> (default) or <see cref="TrainingBackend.TorchSharp"/>.</summary>
    public TrainingBackend Backend { get; set; } = TrainingBackend.Managed;
    /// <summary>Device of the engine: <c>cpu</c> (default), <c>cuda</c> or <c>cuda:N</c> (TorchSharp only); null means cpu.</summary>
    public string? Device { get; set; }
    /// <summary>Matrix-product precision (Float32 default; BFloat16/Float16 autocast on CUDA with TorchSharp).</summary>
    public TrainingPrecision Precision { get; set; } = TrainingPrecision.Float32;
    /// <summary>An explicit engine factory (its Backend must equal <see cref="Backend"/>); null uses <see cref="TrainingEngines"/>.</summary>
    public ITrainingEngineFactory? EngineFactory { get; set; }
}
