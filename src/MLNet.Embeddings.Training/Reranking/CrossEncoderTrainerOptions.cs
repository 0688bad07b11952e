namespace MLNet.Embeddings.Training.Reranking;

/// <summary>Options of <see cref="CrossEncoderTrainer"/>: the shared trainer settings plus the reranker's and the classifier's own.</summary>
public sealed class CrossEncoderTrainerOptions
{
    /// <summary>
    /// The settings every trainer shares (learning rate, batch size in rows, epochs, schedule, warm-up, weight decay,
    /// clipping, seed, dropout, max length, negatives per row, output folder, checkpoints, resume, eval steps, early
    /// stopping, best model, progress). <see cref="TrainerOptions.Evaluator"/> and <see cref="TrainerOptions.Pooling"/> are bi-encoder settings and are not used.
    /// </summary>
    public TrainerOptions Trainer { get; set; } = new();
    /// <summary>The objective (default <see cref="RerankerLoss.Listwise"/>, FlagEmbedding's).</summary>
    public RerankerLoss Loss { get; set; } = RerankerLoss.Listwise;
    /// <summary>Pairs per forward/backward pass: a step's groups are run in chunks of whole groups, gradients summed (32).</summary>
    public int ChunkSize { get; set; } = 32;
    /// <summary>Ranks held-out candidates every <see cref="TrainerOptions.EvalSteps"/> steps (best model, early stopping); null: none.</summary>
    public RerankingEvaluator? Evaluator { get; set; }
    /// <summary>
    /// Classifier training: weight of each label's rows in the cross-entropy, in the order of <see cref="CrossEncoders.CrossEncoder.Labels"/>
    /// (PyTorch's <c>CrossEntropyLoss(weight=…)</c>); null: all 1. <see cref="Classification.ClassificationData.BalancedWeights"/> gives
    /// scikit-learn's balanced weights.
    /// </summary>
    public IReadOnlyList<float>? ClassWeights { get; set; }
    /// <summary>Classifier training: classifies held-out rows every <see cref="TrainerOptions.EvalSteps"/> steps (accuracy picks the best model); null: none.</summary>
    public Classification.ClassificationEvaluator? ClassificationEvaluator { get; set; }
}
