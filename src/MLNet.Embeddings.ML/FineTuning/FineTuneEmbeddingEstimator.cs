using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Embeddings.Training.Evaluation;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.ML;

/// <summary>
/// The estimator of <c>FineTuneEmbedding</c>: <see cref="Fit"/> loads the base model, reads the training columns of
/// the IDataView, fine-tunes with <see cref="SentenceEncoderTrainer"/> and returns an <see cref="EmbeddingTransformer"/>
/// over the tuned model for <see cref="FineTuneEmbeddingOptions.Columns"/>. Each Fit starts again from the base model.
/// </summary>
public sealed class FineTuneEmbeddingEstimator : IEstimator<EmbeddingTransformer>
{
    readonly FineTuneEmbeddingOptions _o;
    readonly InputOutputColumnPair[] _columns;
    int? _dimensions;

    internal FineTuneEmbeddingEstimator(FineTuneEmbeddingOptions options)
    {
        _o = options ?? throw new ArgumentNullException(nameof(options));
        if (string.IsNullOrEmpty(options.BaseModelPath))
            throw new ConfigurationException(nameof(options.BaseModelPath), "is required (a model folder or a word-vector file).");
        if (Remote.RemoteModels.IsRemote(options.BaseModelPath))
            throw new ConfigurationException(nameof(options.BaseModelPath),
                $"'{options.BaseModelPath}' is a remote embedding API: it can embed (ApplyEmbedding) but not be fine-tuned; give a local model folder or a model name (nuget:ID, ORG/NAME).");
        if (options.PairsPerRow < 1) throw new ConfigurationException(nameof(options.PairsPerRow), $"must be at least 1, found {options.PairsPerRow}.");
        ArgumentNullException.ThrowIfNull(options.Trainer, nameof(options.Trainer));
        options.Trainer.Validate();
        if (options.ValidationData is not null && options.Trainer.Evaluator is not null)
            throw new ConfigurationException(nameof(options.ValidationData), "and Trainer.Evaluator are both set; give one.");
        options.Embedding.Validate();
        if (options.Embedding.Backend == EmbeddingBackend.Onnx)
            throw new ConfigurationException("Embedding.Backend", "the tuned model is not an ONNX export; embed with the managed or TorchSharp engine (or export the written model and ApplyEmbedding it).");
        if (options.Embedding.Backend != EmbeddingBackend.Managed && options.OutputModelPath is null)
            throw new ConfigurationException("Embedding.Backend", $"{options.Embedding.Backend} loads the tuned model from disk: set OutputModelPath.");
        _ = CreateLoss(); // unknown losses and options that do not apply fail here, before any model is loaded
        _columns = options.Columns.Length > 0 ? options.Columns : [new InputOutputColumnPair("Features", options.AnchorColumnName)];
    }

    /// <summary>The settings.</summary>
    public FineTuneEmbeddingOptions Options => _o;

    /// <inheritdoc />
    public EmbeddingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        foreach (var c in _columns) SchemaChecks.Text(input.Schema, c.InputColumnName, "Columns input");
        SchemaChecks.NoReservedNames(input.Schema);
        var backend = _o.Trainer.Backend;
        if (_o.Trainer.EngineFactory is null && !TrainingEngines.IsAvailable(backend)) // before loading anything; the trainer's own check names the fix too
            throw new ConfigurationException(nameof(TrainerOptions.Backend), $"{backend} is not registered: reference MLNet.Embeddings.TorchSharp "
                + "(and a libtorch native package) and call MLNet.Embeddings.TorchSharp.TorchSharpBackend.Register() before Fit.");
        var ch = (_o.Context as IChannelProvider)?.Start("FineTuneEmbedding");
        try
        {
            var model = SentenceEncoder.Load(_o.BaseModelPath);
            var rows = LabelledRows.Build(input, _o, _o.Trainer.Seed, "training data");
            var loss = CreateLoss();
            var trainer = TrainerOptionsFor(ch);
            string lr = _o.Trainer.LearningRateIsSet ? _o.Trainer.LearningRate.ToString("G3", System.Globalization.CultureInfo.InvariantCulture) : "the model's default";
            ch?.Info(MessageSensitivity.None, $"fine-tuning {_o.BaseModelPath} with {loss.Name} on {rows.Count} rows: {trainer.Epochs} epoch(s), batch {trainer.BatchSize}, lr {lr}");
            var tuned = new SentenceEncoderTrainer(model, loss, trainer).Fit(rows, _o.CancellationToken);
            if (_o.OutputModelPath is { } output)
            {
                tuned.Save(output);
                ch?.Info(MessageSensitivity.None, $"tuned model written to {output}");
            }
            var state = _o.Embedding.Backend == EmbeddingBackend.Managed
                ? new EmbeddingState(tuned, _o.Embedding, _o.OutputModelPath)
                : EmbeddingState.Load(_o.OutputModelPath!, _o.Embedding); // the engine of the stage loads the written model
            _dimensions = state.Dimensions;
            return new EmbeddingTransformer(state, _columns, input.Schema);
        }
        finally { ch?.Dispose(); }
    }

    /// <summary>
    /// What the trainer gets: a copy of <see cref="FineTuneEmbeddingOptions.Trainer"/> (so the caller's object is never
    /// changed), with the evaluator of <see cref="FineTuneEmbeddingOptions.ValidationData"/>, progress also sent to the
    /// MLContext log, and the trainer's messages sent there when no Log is set.
    /// </summary>
    internal TrainerOptions TrainerOptionsFor(IChannel? channel)
    {
        var t = _o.Trainer.Clone();
        if (_o.ValidationData is { } val) t.Evaluator = Evaluator(val);
        t.Progress = new Relay(_o.Trainer.Progress, channel);
        if (t.Log is null && channel is not null) t.Log = m => channel.Info(MessageSensitivity.None, m);
        return t;
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var c in _columns) SchemaChecks.Text(inputSchema, c.InputColumnName, "Columns input");
        _dimensions ??= Dimensions();
        return SavedPipeline.EmbeddingShape(inputSchema, _dimensions.Value, _columns);
    }

    int Dimensions()
    {
        var model = SentenceEncoder.Load(_o.BaseModelPath);
        return new EmbeddingState(model, _o.Embedding, _o.BaseModelPath).Dimensions;
    }

    ILoss CreateLoss()
    {
        try { return LossFactory.Create(LossNames.Of(_o.Loss), _o.LossOptions); }
        catch (ConfigurationException e) when (e.Setting == "loss") { throw new ConfigurationException(nameof(FineTuneEmbeddingOptions.Loss), $"unknown loss {_o.Loss}."); }
    }

    IEvaluator Evaluator(IDataView validation)
    {
        var rows = LabelledRows.Build(validation, _o, _o.Trainer.Seed + 1, "validation data", pairsPerRow: 1, forEvaluation: true);
        if (rows.Any(r => r.Score is not null) && _o.Loss is EmbeddingLoss.CosineSimilarity or EmbeddingLoss.CoSent)
            return new EmbeddingSimilarityEvaluator(rows.Select(r => r.Query).ToList(), rows.Select(r => r.Pos[0]).ToList(), rows.Select(r => (double)r.Score!.Value).ToList(), "validation");
        if (rows.Any(r => r.Label is not null) && rows.All(r => r.Label is null or 0 or 1))
            return new BinaryClassificationEvaluator(rows.Select(r => r.Query).ToList(), rows.Select(r => r.Pos[0]).ToList(), rows.Select(r => r.Label!.Value).ToList(), "validation");
        if (rows.All(r => r.Neg.Count > 0))
            return new TripletEvaluator(rows.Select(r => r.Query).ToList(), rows.Select(r => r.Pos[0]).ToList(), rows.Select(r => r.Neg[0]).ToList(), "validation");
        if (rows.All(r => r.Pos.Count > 0))
        {
            var queries = new Dictionary<string, string>();
            var corpus = new Dictionary<string, string>();
            var relevant = new Dictionary<string, IReadOnlySet<string>>();
            for (int i = 0; i < rows.Count; i++)
            {
                queries["q" + i] = rows[i].Query; corpus["d" + i] = rows[i].Pos[0];
                relevant["q" + i] = new HashSet<string> { "d" + i };
            }
            return new InformationRetrievalEvaluator(queries, corpus, relevant);
        }
        throw new ConfigurationException(nameof(FineTuneEmbeddingOptions.ValidationData), "needs a positive column, scores, labels or negatives to evaluate with.");
    }

    /// <summary>Forwards trainer progress to the caller's IProgress and the MLContext log (every 10 steps and the last).</summary>
    sealed class Relay(IProgress<TrainingProgress>? progress, IChannel? channel) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            progress?.Report(value);
            if (channel is not null && (value.Step % 10 == 0 || value.Step == value.TotalSteps))
                channel.Info(MessageSensitivity.None, $"step {value.Step}/{value.TotalSteps}, epoch {value.Epoch:F2}, loss {value.Loss:G5}, lr {value.LearningRate:G3}");
        }
    }
}
