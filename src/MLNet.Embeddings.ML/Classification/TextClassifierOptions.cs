using MLNet.Embeddings.Training.Reranking;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Options of <see cref="TextClassifierCatalog.TextClassifier"/>: the base model and the trainer's options
/// (<see cref="CrossEncoderTrainerOptions"/>, with the shared <see cref="Training.TrainerOptions"/> in <c>Trainer.Trainer</c>:
/// learning rate, epochs, batch size, discriminative rates, max length, output folder …).
/// </summary>
public sealed class TextClassifierOptions
{
    /// <summary>
    /// The encoder to start from: a local folder, <c>nuget:ID</c> or a Hub <c>ORG/NAME</c> (resolved like every model
    /// here). A BERT-family embedding model gets a new classification head; a classifier folder (a
    /// <c>*ForSequenceClassification</c> with the same labels) is trained further. Required.
    /// </summary>
    public string ModelPath { get; set; } = "";
    /// <summary>The trainer's options (cross-entropy over the labels; <c>ClassWeights</c>, <c>ClassificationEvaluator</c> apply).</summary>
    public CrossEncoderTrainerOptions Trainer { get; set; } = new();
    /// <summary>Weights each class by rows / (classes × its rows) (scikit-learn's balanced), unless <c>Trainer.ClassWeights</c> is set. Default false.</summary>
    public bool BalancedClassWeights { get; set; }
    /// <summary>Stops training (Fit throws <see cref="OperationCanceledException"/>).</summary>
    public CancellationToken CancellationToken { get; set; }
}
