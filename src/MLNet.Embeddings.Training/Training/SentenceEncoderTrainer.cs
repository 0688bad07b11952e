using System.Diagnostics;
using System.Text.Json;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Tensors;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;

namespace MLNet.Embeddings.Training;

/// <summary>
/// Fine-tunes a <see cref="SentenceEncoder"/> whose backbone is trainable: for every batch each column is tokenized
/// (the row's prompt prepended to the query), run through <see cref="ITrainableBackbone.ForwardTrain"/> and pooled
/// (leaving the prompt's tokens out when the model has include_prompt=false, as Encode does);
/// the loss returns dLoss/dEmbeddings, which goes back through pooling and the backbone; then gradient clipping,
/// an AdamW step and the learning-rate schedule. Evaluation, early stopping, best-model selection, checkpoints and
/// exact resume, a <c>metrics.jsonl</c> log. With <see cref="CachedMultipleNegativesRankingLoss"/> the batch is
/// embedded in mini-batches (GradCache) so that memory does not grow with the batch.
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
    readonly ITrainingPooling _pooling;
    readonly ITrainingEngineFactory _engines;

    /// <summary>Prepares training of <paramref name="model"/> with <paramref name="loss"/>.</summary>
    public SentenceEncoderTrainer(SentenceEncoder model, ILoss loss, TrainerOptions? options = null)
    {
        Model = model; Loss = loss; Options = options ?? new TrainerOptions();
        _backbone = model.Backbone as ITrainableBackbone
            ?? throw new ConfigurationException("model", $"backbone '{model.Backbone.ModelType}' cannot be trained (it has no backward pass).");
        _pooling = Options.Pooling ?? EncoderPooling.For(model);
        if (!Options.LearningRateIsSet && _backbone.ModelType == "static") Options.LearningRate = TrainerOptions.DefaultStaticLearningRate;
        Options.Validate();
        _engines = TrainingEngines.Resolve(Options);
        if (loss is SimCseLoss && Options.Dropout is 0f) throw new ConfigurationException("Dropout", "SimCSE needs dropout > 0 (its two views differ only by dropout).");
    }

    /// <summary>The model being trained (its parameters change in place).</summary>
    public SentenceEncoder Model { get; }
    /// <summary>The objective.</summary>
    public ILoss Loss { get; }
    /// <summary>The settings.</summary>
    public TrainerOptions Options { get; }
    /// <summary>What the last <c>Fit</c> did (steps run, final logged loss, best evaluation), or null before one ended.</summary>
    public TrainingSummary? LastRun { get; private set; }

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
        var run = new Run(this, plan.Rows, plan, ct) { EvaluateBefore = card };
        LastRun = run.Execute();
        if (Options.OutputDirectory is { } dir && Options.SaveModel)
        {
            Model.Save(dir);
            if (card)
                ModelCardBuilder.Build(Model, Loss, Options, plan, rows.Count, source, run.Steps, clock.Elapsed, run.Before, run.After).Write(dir);
        }
        return Model;
    }

    /// <summary>One training run: the loop, its state and its outputs.</summary>
    sealed class Run
    {
        readonly SentenceEncoderTrainer _t;
        readonly TrainerOptions _o;
        readonly IReadOnlyList<TrainingExample> _rows;
        readonly ColumnPlan _plan;
        readonly CancellationToken _ct;
        readonly ITrainingEngine _engine;
        readonly IReadOnlyList<Parameter> _params;
        readonly AdamW _opt;
        readonly List<List<int[]>> _epochs = new();
        readonly int _maxLength;
        TrainerState _state = new();
        float[][]? _best;
        string? _lastCheckpoint, _resumedFrom;
        int _startStep;
        double? _lastLoggedLoss;
        IReadOnlyDictionary<string, double>? _lastEval;
        bool _lastEvalBest;
        readonly Stopwatch _window = new();
        int _windowExamples;
        IReadOnlyDictionary<string, double>? _last, _bestMetrics;

        /// <summary>Evaluate once before the first step (for the model card); not logged to metrics.jsonl.</summary>
        public bool EvaluateBefore { get; init; }
        /// <summary>Metrics before training, when measured.</summary>
        public IReadOnlyDictionary<string, double>? Before { get; private set; }
        /// <summary>Metrics of the weights the run ends with (the best evaluation when it is restored).</summary>
        public IReadOnlyDictionary<string, double>? After => _o.LoadBestModelAtEnd && _bestMetrics is not null ? _bestMetrics : _last;
        /// <summary>Steps taken so far.</summary>
        public int Steps => _state.Step;

        public Run(SentenceEncoderTrainer t, IReadOnlyList<TrainingExample> rows, ColumnPlan plan, CancellationToken ct)
        {
            _t = t; _o = t.Options; _rows = rows; _plan = plan; _ct = ct;
            _maxLength = _o.MaxLength ?? t.Model.Config.MaxSeqLength;
            if (_o.Dropout is { } p) { t._backbone.HiddenDropout = p; t._backbone.AttentionDropout = p; }
            _engine = t._engines.Create(t.Model, _o);
            _params = _engine.Parameters;
            _opt = _engine.Optimizer;
        }

        List<int[]> EpochBatches(int e)
        {
            while (_epochs.Count <= e)
            {
                int epoch = _epochs.Count;
                var b = BatchSampler.Batches(_rows.Count, _o.BatchSize, _o.Shuffle, _o.Seed, epoch, _o.DropLast,
                    _o.NoDuplicates ? r => _plan.Texts(_rows[r]) : null);
                if (b.Count == 0) throw new ConfigurationException("BatchSize", $"{_rows.Count} rows give no batch of {_o.BatchSize} (drop-last).");
                _epochs.Add(b);
            }
            return _epochs[e];
        }

        int StepsIn(int e) => (EpochBatches(e).Count + _o.GradientAccumulationSteps - 1) / _o.GradientAccumulationSteps;

        int TotalSteps()
        {
            if (_o.MaxSteps is { } m) return m;
            int s = 0;
            for (int e = 0; e < _o.Epochs; e++) s += StepsIn(e);
            return s;
        }

        /// <summary>Epoch and step-within-epoch of global step <paramref name="step"/> (0-based).</summary>
        (int Epoch, int Index) Locate(int step)
        {
            int e = 0;
            while (step >= StepsIn(e)) { step -= StepsIn(e); e++; }
            return (e, step);
        }

        public TrainingSummary Execute()
        {
            try { return Loop(); }
            finally { _engine.Dispose(); }
        }

        TrainingSummary Loop()
        {
            int total = TotalSteps();
            int warmup = _o.WarmupSteps ?? Schedule.WarmupSteps(total, _o.WarmupRatio);
            _state.Seed = _o.Seed; _state.TotalSteps = total;
            Resume();
            if (_o.OutputDirectory is { } dir)
            {
                if (_resumedFrom is null) PrepareOutput(dir);
                Directory.CreateDirectory(dir);
            }
            _startStep = _state.Step;
            bool stoppedEarly = false;
            double lastEpoch = 0; float lastLoss = 0, lastLr = 0;
            if (EvaluateBefore && _o.Evaluator is { } before && _state.Step == 0) Before = before.Evaluate(_t.Model, _ct);
            int evalEvery = _o.EvalSteps ?? StepsIn(0);
            bool evaluatedLast = false;
            _window.Restart();
            while (_state.Step < total)
            {
                _ct.ThrowIfCancellationRequested();
                int step = _state.Step;
                var (epoch, index) = Locate(step);
                var batches = EpochBatches(epoch);
                int k = _o.GradientAccumulationSteps;
                var micro = batches.Skip(index * k).Take(k).ToList();
                float lr = (float)(_o.LearningRate * Schedule.Factor(_o.Schedule, step, warmup, total));
                float loss = TrainStep(micro, step, lr);
                _state.Step = step + 1;
                _state.WindowLoss += loss; _state.WindowSteps++;
                _windowExamples += micro.Sum(b => b.Length);
                double epochF = epoch + (index + 1.0) / StepsIn(epoch);
                lastEpoch = epochF; lastLoss = loss; lastLr = lr;
                double? logged = null;
                if (_state.Step % Math.Max(1, _o.LoggingSteps) == 0 || _state.Step == total) logged = _lastLoggedLoss = LogTraining(epochF, lr);
                evaluatedLast = false;
                bool stop = false;
                if (_o.Evaluator is not null && _state.Step % Math.Max(1, evalEvery) == 0)
                {
                    stop = Evaluate(); evaluatedLast = true;
                }
                if (_o.CheckpointSteps is > 0 and var cs && _state.Step % cs == 0 && _o.OutputDirectory is { } od)
                {
                    _engine.SyncToHost(optimizer: true);
                    _lastCheckpoint = Checkpoint.Write(od, _state, _params, _opt, _best, _o.CheckpointsToKeep);
                }
                _o.Progress?.Report(new TrainingProgress(_state.Step, total, epochF, loss, lr)
                {
                    LoggedLoss = logged,
                    Evaluation = evaluatedLast ? _lastEval : null,
                    PrimaryMetric = evaluatedLast ? _o.Evaluator!.PrimaryMetric : null,
                    IsBest = evaluatedLast && _lastEvalBest,
                });
                if (stop) { stoppedEarly = true; break; }
            }
            // A resumed run that was already finished ran no step: nothing new to evaluate or log.
            if (_o.Evaluator is not null && !evaluatedLast && _state.Step > _startStep)
            {
                Evaluate();
                _o.Progress?.Report(new TrainingProgress(_state.Step, total, lastEpoch, lastLoss, lastLr)
                {
                    Evaluation = _lastEval, PrimaryMetric = _o.Evaluator.PrimaryMetric, IsBest = _lastEvalBest,
                });
            }
            _engine.SyncToHost(optimizer: false);
            if (_best is not null && _o.LoadBestModelAtEnd)
                for (int i = 0; i < _params.Count; i++) { _best[i].CopyTo(_params[i].Value, 0); _params[i].MarkChanged(); }
            return new TrainingSummary
            {
                StartStep = _startStep, Step = _state.Step, TotalSteps = total, ResumedFrom = _resumedFrom,
                FinalLoss = _state.Step > _startStep ? _lastLoggedLoss : null,
                PrimaryMetric = _o.Evaluator?.PrimaryMetric,
                BestMetric = _state.BestMetric, BestStep = _state.BestMetric is null ? null : _state.BestStep,
                StoppedEarly = stoppedEarly,
            };
        }

        /// <summary>
        /// A fresh run refuses a folder that is not empty (its metrics.jsonl would mix two runs and a later resume would
        /// continue the wrong one) unless <see cref="TrainerOptions.OverwriteOutputDirectory"/>, which deletes the old
        /// run's log and checkpoints first.
        /// </summary>
        void PrepareOutput(string dir)
        {
            if (!Directory.Exists(dir)) return;
            var entries = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            if (entries.Count == 0) return;
            if (!_o.OverwriteOutputDirectory)
            {
                string shown = string.Join(", ", entries.Take(4)) + (entries.Count > 4 ? $", … ({entries.Count} entries)" : "");
                string why = _o.Resume ? "holds no checkpoint-N folder to resume from" : "is not empty";
                throw new ConfigurationException("OutputDirectory",
                    $"'{dir}' {why} ({shown}): resume the run in it (Resume, with checkpoints), set OverwriteOutputDirectory to start over there, or choose an empty folder.");
            }
            foreach (var (_, path) in Checkpoint.List(dir)) Directory.Delete(path, true);
            File.Delete(Path.Combine(dir, "metrics.jsonl"));
        }

        void Resume()
        {
            string? folder = _o.ResumeFrom;
            if (folder is null && _o.Resume)
            {
                if (_o.OutputDirectory is null) throw new ConfigurationException("Resume", "needs OutputDirectory (where the checkpoints are).");
                var list = Checkpoint.List(_o.OutputDirectory);
                if (list.Count == 0) return; // nothing to resume: start fresh
                folder = list[^1].Path;
            }
            if (folder is null) return;
            _state = Checkpoint.Read(folder, _params, _opt, out _best);
            _engine.SyncFromHost(optimizer: true);
            if (_state.Seed != _o.Seed) throw new ConfigurationException("Seed", $"checkpoint {folder} was made with seed {_state.Seed}, this run uses {_o.Seed}; resume with the same seed.");
            _lastCheckpoint = _resumedFrom = folder;
            TrimMetrics(_state.Step);
        }

        float TrainStep(List<int[]> micro, int step, float lr)
        {
            _engine.ZeroGrad();
            double sum = 0;
            for (int mi = 0; mi < micro.Count; mi++)
            {
                float l = _t.RunBatch(_engine, _plan, _rows, micro[mi], Seed(step, mi), 1f / micro.Count, _maxLength);
                if (!float.IsFinite(l)) throw new TrainingDivergedException(step + 1, l, _lastCheckpoint);
                sum += l;
            }
            if (_o.MaxGradNorm is > 0 and var max) _engine.ClipGradNorm(max);
            _engine.Step(lr);
            return (float)(sum / micro.Count);
        }

        ulong Seed(int step, int micro) => SplitMix((ulong)(uint)_o.Seed << 32 ^ (ulong)step * 64 ^ (ulong)micro);

        bool Evaluate()
        {
            var ev = _o.Evaluator!;
            _engine.SyncToHost(optimizer: false);
            var metrics = ev.Evaluate(_t.Model, _ct);
            _last = metrics;
            if (!metrics.TryGetValue(ev.PrimaryMetric, out double primary))
                throw new ConfigurationException("Evaluator", $"evaluator '{ev.Name}' did not return its primary metric '{ev.PrimaryMetric}'.");
            AppendMetrics(new Dictionary<string, object> { ["step"] = _state.Step, ["eval"] = Finite(metrics) });
            _lastEval = metrics;
            _lastEvalBest = _state.BestMetric is null || primary > _state.BestMetric;
            if (_lastEvalBest)
            {
                _state.BestMetric = primary; _state.BestStep = _state.Step; _state.EvalsWithoutImprovement = 0;
                _bestMetrics = metrics;
                if (_o.LoadBestModelAtEnd) _best = _params.Select(p => (float[])p.Value.Clone()).ToArray();
            }
            else _state.EvalsWithoutImprovement++;
            return _o.EarlyStoppingPatience is { } pat && _state.EvalsWithoutImprovement >= pat;
        }

        /// <summary>Writes a training line; returns its loss (the mean over the window).</summary>
        double LogTraining(double epoch, float lr)
        {
            double seconds = _window.Elapsed.TotalSeconds;
            double loss = _state.WindowLoss / Math.Max(1, _state.WindowSteps);
            AppendMetrics(new Dictionary<string, object>
            {
                ["step"] = _state.Step,
                ["epoch"] = Math.Round(epoch, 4),
                ["loss"] = loss,
                ["learning_rate"] = lr,
                ["examples_per_second"] = seconds > 0 ? Math.Round(_windowExamples / seconds, 2) : 0,
            });
            _state.WindowLoss = 0; _state.WindowSteps = 0; _windowExamples = 0;
            _window.Restart();
            return loss;
        }

        /// <summary>JSON has no NaN or infinity: a metric without a finite value is written as null.</summary>
        static Dictionary<string, double?> Finite(IReadOnlyDictionary<string, double> metrics) =>
            metrics.ToDictionary(kv => kv.Key, kv => double.IsFinite(kv.Value) ? kv.Value : (double?)null);

        void AppendMetrics(Dictionary<string, object> line)
        {
            if (_o.OutputDirectory is not { } dir) return;
            File.AppendAllText(Path.Combine(dir, "metrics.jsonl"), JsonSerializer.Serialize(line) + "\n");
        }

        /// <summary>After a resume, drops log lines of steps the resumed run will redo.</summary>
        void TrimMetrics(int step)
        {
            if (_o.OutputDirectory is not { } dir) return;
            string path = Path.Combine(dir, "metrics.jsonl");
            if (!File.Exists(path)) return;
            var keep = File.ReadAllLines(path).Where(l =>
            {
                try { using var d = JsonDocument.Parse(l); return d.RootElement.GetProperty("step").GetInt32() <= step; }
                catch (JsonException) { return false; }
            });
            string tmp = path + ".tmp";
            File.WriteAllLines(tmp, keep);
            File.Move(tmp, path, true);
        }
    }

    /// <summary>
    /// Forward, loss and backward of one batch; accumulates parameter gradients scaled by <paramref name="gradScale"/>.
    /// Each column is embedded in chunks (GradCache for the cached loss): the first pass keeps only embeddings, the
    /// loss gradient is computed once, then each chunk is re-run with the same dropout seed and back-propagated.
    /// </summary>
    internal float RunBatch(ColumnPlan plan, IReadOnlyList<TrainingExample> rows, int[] batch, ulong seed, float gradScale, int maxLength)
    {
        using var engine = ManagedTrainingEngine.Factory.Create(Model, new TrainerOptions { WeightDecay = Options.WeightDecay, SparseUpdates = Options.SparseUpdates });
        return RunBatch(engine, plan, rows, batch, seed, gradScale, maxLength);
    }

    /// <summary><see cref="RunBatch(ColumnPlan, IReadOnlyList{TrainingExample}, int[], ulong, float, int)"/> on <paramref name="engine"/>.</summary>
    internal float RunBatch(ITrainingEngine engine, ColumnPlan plan, IReadOnlyList<TrainingExample> rows, int[] batch, ulong seed, float gradScale, int maxLength)
    {
        var input = plan.Build(rows, batch);
        int nc = input.Texts.Count, b = batch.Length;
        int chunk = Loss is CachedMultipleNegativesRankingLoss c ? c.MiniBatchSize : b;
        bool cached = chunk < b;
        var columns = new Matrix[nc];
        var tokenBatches = new List<TokenBatch>[nc];
        var kept = new List<BackboneActivations>?[nc];
        var skips = PoolingSkips(input, b, maxLength);
        for (int col = 0; col < nc; col++)
        {
            tokenBatches[col] = new(); kept[col] = cached ? null : new();
            for (int s = 0, ci = 0; s < b; s += chunk, ci++)
            {
                int n = Math.Min(chunk, b - s);
                var texts = new List<Tokenization.TokenizedText>(n);
                for (int r = 0; r < n; r++) texts.Add(Model.Tokenize(input.Texts[col][s + r], null, maxLength));
                var tb = TokenBatch.From(texts);
                tokenBatches[col].Add(tb);
                var act = engine.Forward(tb, ChunkSeed(seed, col, ci), keepGraph: !cached);
                var pooled = _pooling.Forward(tb, act.Output, Slice(skips[col], s, n));
                columns[col] ??= new Matrix(b, pooled.Cols);
                pooled.Data.CopyTo(columns[col].Data, s * pooled.Cols);
                // GradCache keeps only the embeddings: the chunk's activations go back to the backbone's arena now.
                if (kept[col] is { } k) k.Add(act); else engine.Release(act);
            }
        }
        var result = Loss.Compute(new LossInput { Columns = columns, Labels = input.Labels, TeacherScores = input.Teacher, TextIds = input.TextIds });
        if (!float.IsFinite(result.Loss))
        {
            foreach (var k in kept) if (k is not null) foreach (var a in k) engine.Release(a);
            return result.Loss;
        }
        for (int col = 0; col < nc; col++)
        {
            int dim = columns[col].Cols;
            for (int s = 0, ci = 0; s < b; s += chunk, ci++)
            {
                int n = Math.Min(chunk, b - s);
                var tb = tokenBatches[col][ci];
                var act = kept[col]?[ci] ?? engine.Forward(tb, ChunkSeed(seed, col, ci), keepGraph: true);
                var slice = new Matrix(n, dim);
                result.Gradients[col].Data.AsSpan(s * dim, n * dim).CopyTo(slice.Data);
                if (gradScale != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(slice.Data, gradScale, slice.Data);
                var dTokens = _pooling.Backward(tb, act.Output, slice, Slice(skips[col], s, n));
                engine.Backward(act, dTokens);
                engine.Release(act);
            }
        }
        return result.Loss;
    }

    static ReadOnlySpan<int> Slice(int[]? skip, int start, int count) => skip is null ? default : skip.AsSpan(start, count);

    /// <summary>
    /// Per column, how many leading tokens pooling leaves out of each row: the prompt's tokens when the model has
    /// include_prompt=false (<see cref="SentenceEncoder.PoolingSkip"/>, as Encode does); null where nothing is skipped.
    /// </summary>
    int[]?[] PoolingSkips(ColumnBatch input, int b, int maxLength)
    {
        var skips = new int[]?[input.Texts.Count];
        if (Model.Config.PoolingIncludePrompt || input.Prompts is null) return skips;
        var known = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int col = 0; col < skips.Length; col++)
        {
            if (col >= input.Prompts.Count || input.Prompts[col] is not { } prompts) continue;
            var skip = new int[b];
            for (int r = 0; r < b; r++)
                if (prompts[r] is { } p)
                    skip[r] = known.TryGetValue(p, out int k) ? k : known[p] = Model.PoolingSkip(p, maxLength);
            if (skip.Any(v => v > 0)) skips[col] = skip;
        }
        return skips;
    }

    static ulong ChunkSeed(ulong seed, int column, int chunk) => SplitMix(seed ^ SplitMix((ulong)column << 20 | (uint)chunk));

    static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
