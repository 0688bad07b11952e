using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Settings of <c>FineTuneEmbedding</c>. Two ways to give the training signal:
/// <list type="bullet">
/// <item>pairs: <see cref="AnchorColumnName"/> + <see cref="PositiveColumnName"/> (+ <see cref="NegativeColumnNames"/>,
/// <see cref="ScoreColumnName"/> for scored pairs, <see cref="LabelColumnName"/> for 0/1 pairs);</item>
/// <item>labelled texts (SetFit style): <see cref="AnchorColumnName"/> + <see cref="LabelColumnName"/> with a class per
/// row and no positive column; pairs or triplets are sampled from the labels (<see cref="PairsPerRow"/>).</item>
/// </list>
/// Defaults follow sentence-transformers' trainer.
/// </summary>
public sealed class FineTuneEmbeddingOptions
{
    /// <summary>The model to start from: a Hugging Face / sentence-transformers folder or a word-vector file (.txt/.vec/.bin).</summary>
    public string BaseModelPath { get; set; } = "";
    /// <summary>The anchor / query / sentence1 / text column (text).</summary>
    public string AnchorColumnName { get; set; } = "Anchor";
    /// <summary>The positive / sentence2 column (text); null for labelled texts or SimCSE.</summary>
    public string? PositiveColumnName { get; set; }
    /// <summary>Hard-negative columns (text), used by MNRL and triplet losses.</summary>
    public string[] NegativeColumnNames { get; set; } = [];
    /// <summary>Similarity score column (numeric), for CosineSimilarity and CoSent.</summary>
    public string? ScoreColumnName { get; set; }
    /// <summary>With a positive column: a 0/1 pair label (numeric or bool). Without one: the class of each text (any type).</summary>
    public string? LabelColumnName { get; set; }
    /// <summary>The objective (MultipleNegativesRanking).</summary>
    public EmbeddingLoss Loss { get; set; } = EmbeddingLoss.MultipleNegativesRanking;
    /// <summary>Passes over the data (1).</summary>
    public int Epochs { get; set; } = 1;
    /// <summary>Rows per batch (32).</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>Peak learning rate (2e-5; word vectors want about 1e-2 to 5e-2).</summary>
    public float LearningRate { get; set; } = 2e-5f;
    /// <summary>Seed of shuffling, dropout and label-pair sampling (42).</summary>
    public int Seed { get; set; } = 42;
    /// <summary>Warm-up as a fraction of all steps (0.1).</summary>
    public double WarmupRatio { get; set; } = 0.1;
    /// <summary>Dropout for hidden states and attention during training; null keeps the model's config (0 makes runs repeatable across backends).</summary>
    public float? Dropout { get; set; }
    /// <summary>
    /// The training engine: <see cref="TrainingBackend.Managed"/> (default) or <see cref="TrainingBackend.TorchSharp"/>, which
    /// needs a reference to MLNet.Embeddings.TorchSharp (+ a libtorch native package) and a call to
    /// <c>MLNet.Embeddings.TorchSharp.TorchSharpBackend.Register()</c> before <c>Fit</c>; otherwise <c>Fit</c> says so.
    /// </summary>
    public TrainingBackend Backend { get; set; } = TrainingBackend.Managed;
    /// <summary>Device of the engine: <c>cpu</c> (default), <c>cuda</c> or <c>cuda:N</c> (TorchSharp only; no silent CPU fallback); null means cpu.</summary>
    public string? Device { get; set; }
    /// <summary>Matrix-product precision (Float32 default; BFloat16/Float16 autocast on CUDA with TorchSharp).</summary>
    public TrainingPrecision Precision { get; set; } = TrainingPrecision.Float32;
    /// <summary>Token cap per text during training; null uses the model's max_seq_length.</summary>
    public int? MaxLength { get; set; }
    /// <summary>The text columns to embed after training, (output, input) pairs; empty embeds the anchor column as "Features".</summary>
    public InputOutputColumnPair[] Columns { get; set; } = [];
    /// <summary>Labelled-text mode: sampled pairs (or triplets) per row and epoch (4; SetFit draws 20 on few-shot sets).</summary>
    public int PairsPerRow { get; set; } = 4;
    /// <summary>Held-out rows with the same columns; evaluated after every epoch (or <see cref="EvaluationSteps"/>), best model kept.</summary>
    public IDataView? ValidationData { get; set; }
    /// <summary>Evaluate every N steps; null evaluates once per epoch.</summary>
    public int? EvaluationSteps { get; set; }
    /// <summary>Stop when the validation metric has not improved for this many evaluations; null never stops early.</summary>
    public int? EarlyStoppingPatience { get; set; }
    /// <summary>Also write the tuned model folder (sentence-transformers layout) here; null keeps it in memory only.</summary>
    public string? OutputModelPath { get; set; }
    /// <summary>How the embedding stage of the fitted transformer encodes and where its saved form keeps the model.</summary>
    public ApplyEmbeddingOptions Embedding { get; set; } = new();
    /// <summary>
    /// Receives messages on a <c>FineTuneEmbedding</c> channel of its <c>Log</c> event (start, every logged step,
    /// evaluations, end). ML.NET 6 gives extension code no public way from <c>ml.Transforms</c> to its context, so it is passed here.
    /// </summary>
    public MLContext? Context { get; set; }
    /// <summary>Receives progress after every step.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }
    /// <summary>Stops training between steps (<c>Fit</c> then throws <see cref="OperationCanceledException"/>; nothing is half-written).</summary>
    public CancellationToken CancellationToken { get; set; }
}
