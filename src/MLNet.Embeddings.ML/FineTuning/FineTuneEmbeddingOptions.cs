using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.Training;
using MLNet.Embeddings.Training.Losses;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Settings of <c>FineTuneEmbedding</c>. Two ways to give the training signal:
/// <list type="bullet">
/// <item>pairs: <see cref="AnchorColumnName"/> + <see cref="PositiveColumnName"/> (+ <see cref="NegativeColumnNames"/>,
/// <see cref="ScoreColumnName"/> for scored pairs, <see cref="LabelColumnName"/> for 0/1 pairs,
/// <see cref="TeacherScoreColumnNames"/> for distillation);</item>
/// <item>labelled texts (SetFit style): <see cref="AnchorColumnName"/> + <see cref="LabelColumnName"/> with a class per
/// row and no positive column; pairs or triplets are sampled from the labels (<see cref="PairsPerRow"/>).</item>
/// </list>
/// The trainer's own settings (epochs, batch size, learning rate, warm-up, seed, backend, device …) are
/// <see cref="Trainer"/>, with the trainer's defaults (sentence-transformers'; the learning rate follows the model type).
/// </summary>
public sealed class FineTuneEmbeddingOptions
{
    /// <summary>The model to start from: a Hugging Face / sentence-transformers folder or a word-vector file (.txt/.vec/.bin).</summary>
    public string BaseModelPath { get; set; } = "";
    /// <summary>The anchor / query / sentence1 / text column (text).</summary>
    public string AnchorColumnName { get; set; } = "Anchor";
    /// <summary>The positive / sentence2 column (text); null for labelled texts or SimCSE.</summary>
    public string? PositiveColumnName { get; set; }
    /// <summary>Hard-negative columns (text), used by MNRL, triplet and the distillation losses.</summary>
    public string[] NegativeColumnNames { get; set; } = [];
    /// <summary>Similarity score column (numeric), for CosineSimilarity and CoSent.</summary>
    public string? ScoreColumnName { get; set; }
    /// <summary>With a positive column: a 0/1 pair label (numeric or bool). Without one: the class of each text (any type).</summary>
    public string? LabelColumnName { get; set; }
    /// <summary>
    /// Teacher scores (numeric) for <see cref="EmbeddingLoss.Distillation"/> and <see cref="EmbeddingLoss.MarginMse"/>:
    /// the positive's score first, then one column per <see cref="NegativeColumnNames"/> entry, in that order.
    /// </summary>
    public string[] TeacherScoreColumnNames { get; set; } = [];
    /// <summary>The objective (MultipleNegativesRanking).</summary>
    public EmbeddingLoss Loss { get; set; } = EmbeddingLoss.MultipleNegativesRanking;
    /// <summary>Scale, margin, cached mini-batch size and Matryoshka dimensions of <see cref="Loss"/>; null values keep the loss's defaults.</summary>
    public LossOptions LossOptions { get; set; } = new();
    /// <summary>
    /// The trainer's settings, passed on as they are (a copy per <c>Fit</c>): epochs, batch size, learning rate (unset: 2e-5
    /// for transformers, 5e-2 for word vectors), warm-up, seed (also of label-pair sampling), dropout, max length,
    /// evaluation steps, early stopping, backend (<see cref="TrainingBackend.TorchSharp"/> needs a reference to
    /// MLNet.Embeddings.TorchSharp and a call to <c>TorchSharpBackend.Register()</c> before <c>Fit</c>), device,
    /// precision, progress, log and the rest. Its <c>Evaluator</c> is built from <see cref="ValidationData"/> when that is set.
    /// </summary>
    public TrainerOptions Trainer { get; set; } = new();
    /// <summary>The text columns to embed after training, (output, input) pairs; empty embeds the anchor column as "Features".</summary>
    public InputOutputColumnPair[] Columns { get; set; } = [];
    /// <summary>Labelled-text mode: sampled pairs (or triplets) per row and epoch (4; SetFit draws 20 on few-shot sets).</summary>
    public int PairsPerRow { get; set; } = 4;
    /// <summary>Held-out rows with the same columns; evaluated after every epoch (or <c>Trainer.EvalSteps</c>), best model kept.</summary>
    public IDataView? ValidationData { get; set; }
    /// <summary>Also write the tuned model folder (sentence-transformers layout) here; null keeps it in memory only.</summary>
    public string? OutputModelPath { get; set; }
    /// <summary>How the embedding stage of the fitted transformer encodes and where its saved form keeps the model.</summary>
    public ApplyEmbeddingOptions Embedding { get; set; } = new();
    /// <summary>
    /// Receives messages on a <c>FineTuneEmbedding</c> channel of its <c>Log</c> event (start, every logged step,
    /// evaluations, end). ML.NET 6 gives extension code no public way from <c>ml.Transforms</c> to its context, so it is passed here.
    /// </summary>
    public MLContext? Context { get; set; }
    /// <summary>Stops training between steps (<c>Fit</c> then throws <see cref="OperationCanceledException"/>; nothing is half-written).</summary>
    public CancellationToken CancellationToken { get; set; }
}
