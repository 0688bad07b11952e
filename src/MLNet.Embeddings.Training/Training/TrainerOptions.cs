using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Training;

/// <summary>Settings of <see cref="SentenceEncoderTrainer"/>; defaults follow sentence-transformers' trainer.</summary>
public sealed class TrainerOptions
{
    /// <summary>sentence-transformers' default peak learning rate for transformers (2e-5).</summary>
    public const float DefaultLearningRate = 2e-5f;
    /// <summary>
    /// Default peak learning rate for static word-vector models (5e-2): averaged vectors trained with sparse AdamW barely
    /// move at 2e-5 (GloVe + MNRL on financial-qa-10K, 50 steps: validation nDCG@10 stays at its start, 5e-2 gains
    /// about 0.2; docs/training.md).
    /// </summary>
    public const float DefaultStaticLearningRate = 5e-2f;

    float? _learningRate;
    /// <summary>
    /// Peak learning rate. When not set: <see cref="DefaultLearningRate"/> (2e-5), and for a static word-vector model
    /// <see cref="DefaultStaticLearningRate"/> (5e-2), which the trainer uses without writing it here (this property then
    /// still reads 2e-5 and <see cref="LearningRateIsSet"/> stays false; the model card records the rate used).
    /// </summary>
    public float LearningRate { get => _learningRate ?? DefaultLearningRate; set => _learningRate = value; }
    /// <summary>Whether <see cref="LearningRate"/> was set (rather than left at its model-dependent default).</summary>
    public bool LearningRateIsSet => _learningRate is not null;
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
    /// <summary>
    /// Hard negatives per row for losses that take them (FlagEmbedding's group size minus one); 0 trains on in-batch
    /// negatives only. Null (default): the count most rows have. Rows with more use their first ones; rows with fewer
    /// are filled by seeded sampling (with replacement) from their own negatives, and rows with none from other rows'
    /// negatives (never one of the row's own positives). <see cref="Log"/> says the count used and how many rows were filled.
    /// </summary>
    public int? NegativesPerRow { get; set; }
    /// <summary>Divide scores by the largest one when it exceeds 1 (STS 0..5 → 0..1) (true).</summary>
    public bool NormalizeScores { get; set; } = true;

    /// <summary>Folder for metrics.jsonl, checkpoints and the final model; null writes nothing.</summary>
    public string? OutputDirectory { get; set; }
    /// <summary>Save the final model into <see cref="OutputDirectory"/> (sentence-transformers layout) (true).</summary>
    public bool SaveModel { get; set; } = true;
    /// <summary>
    /// With <see cref="SaveModel"/>, also write the model card (<c>model_card.json</c> + <c>README.md</c>: base model,
    /// data with rows and sha256, loss, hyper-parameters, steps, time, evaluation before and after) (true). With an
    /// evaluator this costs one evaluation before the first step.
    /// </summary>
    public bool WriteModelCard { get; set; } = true;
    /// <summary>Write a checkpoint every N steps; null or 0 writes none.</summary>
    public int? CheckpointSteps { get; set; }
    /// <summary>Checkpoints kept (the newest; 2).</summary>
    public int CheckpointsToKeep { get; set; } = 2;
    /// <summary>
    /// Allow training into an <see cref="OutputDirectory"/> that is not empty without <see cref="Resume"/>: the previous
    /// run's metrics.jsonl and checkpoint-N folders are deleted first (other files stay; the model files are rewritten).
    /// False (default) refuses a non-empty folder, so two runs never mix in one log (Hugging Face's overwrite_output_dir).
    /// </summary>
    public bool OverwriteOutputDirectory { get; set; }
    /// <summary>Continue from the newest checkpoint in <see cref="OutputDirectory"/> (or <see cref="ResumeFrom"/>).</summary>
    public bool Resume { get; set; }
    /// <summary>A specific checkpoint folder to continue from.</summary>
    public string? ResumeFrom { get; set; }
    /// <summary>Write a metrics line every N steps (10).</summary>
    public int LoggingSteps { get; set; } = 10;

    /// <summary>
    /// Learning rate of the embedding layer (<c>embeddings.*</c>), e.g. a tenth of <see cref="LearningRate"/> to keep its
    /// general-purpose knowledge; null: the layer-wise rule (<see cref="LayerDecay"/>). Follows the same schedule.
    /// </summary>
    public float? EmbeddingLearningRate { get; set; }
    /// <summary>
    /// Layer-wise rate decay (1 = off): the top transformer layer trains at <see cref="LearningRate"/>, each layer below at
    /// this factor times the one above, the embeddings one step lower still; pooler and other weights at the full rate.
    /// </summary>
    public float LayerDecay { get; set; } = 1f;
    /// <summary>Keep the embedding layer's weights fixed (false); takes precedence over <see cref="EmbeddingLearningRate"/>.</summary>
    public bool FreezeEmbeddings { get; set; }
    /// <summary>Keep the lowest N transformer layers fixed (0).</summary>
    public int FreezeLayers { get; set; }

    /// <summary>
    /// Folder for TensorBoard: an event file of scalars (train/loss, train/learning_rate, eval/*, checks/*) and, at each
    /// checkpoint and at the end, the embedding projector's files for <see cref="ProbeTexts"/>; null writes none.
    /// </summary>
    public string? TensorBoardDirectory { get; set; }
    /// <summary>
    /// A fixed set of texts whose mean pairwise cosine and spread are logged as checks (a warning when they cluster at
    /// <see cref="CollapseThreshold"/> or above); also the texts shown in the projector. Null: no probe set.
    /// </summary>
    public IReadOnlyList<string>? ProbeTexts { get; set; }
    /// <summary>Labelled validation pairs whose mean cosine, similar against dissimilar, is logged as a check; null: none.</summary>
    public IReadOnlyList<Monitoring.ProbePair>? ProbePairs { get; set; }
    /// <summary>Run the checks every N steps (default: with each evaluation, else each epoch) and at the end.</summary>
    public int? ProbeSteps { get; set; }
    /// <summary>Mean pairwise cosine of the probe texts from which a collapse warning is logged (0.9).</summary>
    public float CollapseThreshold { get; set; } = 0.9f;

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
    /// <summary>Receives one-line messages about decisions made on the data (e.g. hard negatives per row, rows filled), or null.</summary>
    public Action<string>? Log { get; set; }
    /// <summary>Receives progress after every step.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>
    /// Checks the settings that need no model or data (batch size, steps, epochs, learning rate, warm-up, dropout …),
    /// so that a caller can reject a bad option before loading anything. The trainer calls it too.
    /// </summary>
    /// <exception cref="ConfigurationException">A setting is out of range; the exception names it.</exception>
    public void Validate()
    {
        if (BatchSize < 1) throw new ConfigurationException(nameof(BatchSize), $"must be at least 1, found {BatchSize}.");
        if (GradientAccumulationSteps < 1) throw new ConfigurationException(nameof(GradientAccumulationSteps), $"must be at least 1, found {GradientAccumulationSteps}.");
        if (MaxSteps is < 1) throw new ConfigurationException(nameof(MaxSteps), $"must be at least 1, found {MaxSteps}.");
        if (Epochs < 1 && MaxSteps is null) throw new ConfigurationException(nameof(Epochs), $"must be at least 1, found {Epochs}.");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new ConfigurationException(nameof(LearningRate), $"must be a positive number, found {LearningRate}.");
        if (!(WarmupRatio >= 0 && WarmupRatio <= 1)) throw new ConfigurationException(nameof(WarmupRatio), $"must be between 0 and 1, found {WarmupRatio}.");
        if (WarmupSteps is < 0) throw new ConfigurationException(nameof(WarmupSteps), $"must be 0 or more, found {WarmupSteps}.");
        if (!(WeightDecay >= 0)) throw new ConfigurationException(nameof(WeightDecay), $"must be 0 or more, found {WeightDecay}.");
        if (Dropout is { } p && !(p >= 0 && p < 1)) throw new ConfigurationException(nameof(Dropout), $"must be at least 0 and below 1, found {p}.");
        if (MaxLength is < 1) throw new ConfigurationException(nameof(MaxLength), $"must be at least 1, found {MaxLength}.");
        if (NegativesPerRow is < 0) throw new ConfigurationException(nameof(NegativesPerRow), $"must be 0 or more, found {NegativesPerRow}.");
        if (EvalSteps is < 1) throw new ConfigurationException(nameof(EvalSteps), $"must be at least 1, found {EvalSteps}.");
        if (EmbeddingLearningRate is { } er && !(er > 0 && float.IsFinite(er))) throw new ConfigurationException(nameof(EmbeddingLearningRate), $"must be a positive number, found {er}.");
        if (!(LayerDecay > 0 && LayerDecay <= 1)) throw new ConfigurationException(nameof(LayerDecay), $"must be above 0 and at most 1, found {LayerDecay}.");
        if (FreezeLayers < 0) throw new ConfigurationException(nameof(FreezeLayers), $"must be 0 or more, found {FreezeLayers}.");
        if (ProbeSteps is < 1) throw new ConfigurationException(nameof(ProbeSteps), $"must be at least 1, found {ProbeSteps}.");
        if (CheckpointSteps is < 0) throw new ConfigurationException(nameof(CheckpointSteps), $"must be 0 or more, found {CheckpointSteps}.");
    }
    /// <summary>Engine that runs forward, backward and the optimiser: <see cref="TrainingBackend.Managed"/> (default) or <see cref="TrainingBackend.TorchSharp"/>.</summary>
    public TrainingBackend Backend { get; set; } = TrainingBackend.Managed;
    /// <summary>Device of the engine: <c>cpu</c> (default), <c>cuda</c> or <c>cuda:N</c> (TorchSharp only); null means cpu.</summary>
    public string? Device { get; set; }
    /// <summary>Matrix-product precision (Float32 default; BFloat16/Float16 autocast on CUDA with TorchSharp).</summary>
    public TrainingPrecision Precision { get; set; } = TrainingPrecision.Float32;
    /// <summary>An explicit engine factory (its Backend must equal <see cref="Backend"/>); null uses <see cref="TrainingEngines"/>.</summary>
    public ITrainingEngineFactory? EngineFactory { get; set; }

    /// <summary>A shallow copy with the same settings (an unset learning rate stays unset, so it still follows the model type).</summary>
    public TrainerOptions Clone() => (TrainerOptions)MemberwiseClone();
}
