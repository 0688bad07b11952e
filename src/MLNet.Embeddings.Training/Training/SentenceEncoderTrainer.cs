using System.Diagnostics;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;

namespace MLNet.Embeddings.Training;

/// <summary>
/// Fine-tunes a <see cref="SentenceEncoder"/> whose backbone is trainable: for every batch each column is tokenized
/// (the row's prompt prepended to the query), run through <see cref="ITrainableBackbone.ForwardTrain"/> and pooled
/// (leaving the prompt's tokens out when the model has include_prompt=false, as Encode does);
/// the loss returns dLoss/dEmbeddings, which goes back through pooling and the backbone; then gradient clipping,
/// an AdamW step and the learning-rate schedule. Evaluation, early stopping, best-model selection, checkpoints and
/// exact resume, a <c>metrics.jsonl</c> log. With a <see cref="IChunkedLoss"/> such as
/// <see cref="CachedMultipleNegativesRankingLoss"/> the batch is embedded in mini-batches (GradCache) so that memory
/// does not grow with the batch.
/// </summary>
/// <example>
/// <code>
/// var model = SentenceEncoder.Load("all-MiniLM-L6-v2");
/// var trainer = new SentenceEncoderTrainer(model, new MultipleNegativesRankingLoss(),
///     new TrainerOptions { Epochs = 1, OutputDirectory = "out" });
/// var tuned = trainer.Fit(TrainingDataReader.Read("pairs.jsonl"));
/// </code>
/// </example>
public sealed class SentenceEncoderTrainer
{
    readonly ITrainableBackbone _backbone;
    readonly ITrainingEngineFactory _engines;

    /// <summary>Prepares training of <paramref name="model"/> with <paramref name="loss"/>; <paramref name="options"/> are read, never changed.</summary>
    public SentenceEncoderTrainer(SentenceEncoder model, ILoss loss, TrainerOptions? options = null)
    {
        Model = model; Loss = loss; Options = options ?? new TrainerOptions();
        _backbone = model.Backbone as ITrainableBackbone
            ?? throw new ConfigurationException("model", $"backbone '{model.Backbone.ModelType}' cannot be trained (it has no backward pass).");
        Options.Validate();
        Settings = TrainerSettings.Resolve(model, _backbone, Options);
        _engines = TrainingEngines.Resolve(Options);
        if (loss is IDropoutViewLoss && Options.Dropout is 0f) throw new ConfigurationException("Dropout", $"{loss.Name} needs dropout > 0 (its two views differ only by dropout).");
        Pass = new BatchPass(model, loss, Settings.Pooling, Settings.MaxLength);
    }

    /// <summary>The model being trained (its parameters change in place).</summary>
    public SentenceEncoder Model { get; }
    /// <summary>The objective.</summary>
    public ILoss Loss { get; }
    /// <summary>The settings as given (the trainer resolves model-dependent defaults without writing them here).</summary>
    public TrainerOptions Options { get; }
    /// <summary>What the last <c>Fit</c> did (steps run, final logged loss, best evaluation), or null before one ended.</summary>
    public TrainingSummary? LastRun { get; private set; }

    /// <summary>The settings in effect (the learning rate for this model type, the pooling).</summary>
    internal TrainerSettings Settings { get; }
    /// <summary>Forward, loss and backward of one batch.</summary>
    internal BatchPass Pass { get; }

    /// <summary>Trains on the rows of a training file (<see cref="TrainingDataReader"/>).</summary>
    public SentenceEncoder Fit(string path, CancellationToken cancellationToken = default) =>
        Fit(TrainingDataReader.Read(path), cancellationToken, path);

    /// <summary>Trains on <paramref name="trainingData"/> and returns the fine-tuned model (the same instance).</summary>
    /// <exception cref="DatasetFormatException">A row lacks a column the loss needs (before any training).</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public SentenceEncoder Fit(IEnumerable<TrainingExample> trainingData, CancellationToken cancellationToken = default) =>
        Fit(trainingData, cancellationToken, null);

    SentenceEncoder Fit(IEnumerable<TrainingExample> trainingData, CancellationToken ct, string? source)
    {
        var rows = trainingData as IReadOnlyList<TrainingExample> ?? trainingData.ToList();
        var plan = ColumnPlan.Create(Loss, rows, Options, source ?? "<training data>");
        if (plan.Message is { } message) Options.Log?.Invoke(message);
        var clock = Stopwatch.StartNew();
        bool card = Options.OutputDirectory is not null && Options.SaveModel && Options.WriteModelCard;
        var run = new TrainingRun(Model, _backbone, _engines, Settings, Pass, plan.Rows, plan, ct) { EvaluateBefore = card };
        LastRun = run.Execute();
        if (Options.OutputDirectory is { } dir && Options.SaveModel)
        {
            Model.Save(dir);
            if (card)
                ModelCardBuilder.Build(Model, Loss, Settings, plan, rows.Count, source, run.Steps, clock.Elapsed, run.Before, run.After).Write(dir);
        }
        return Model;
    }
}
