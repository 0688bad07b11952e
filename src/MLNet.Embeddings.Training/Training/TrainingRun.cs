using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training;

/// <summary>
/// One training run, the loop: batches per epoch, optimiser steps with gradient accumulation, clipping and the
/// learning-rate schedule, evaluation and progress. Its output folder and log (<see cref="RunOutput"/>), checkpoints and
/// resume (<see cref="RunCheckpoints"/>) and best-model tracking (<see cref="BestModelTracker"/>) are parts of their own.
/// </summary>
internal sealed class TrainingRun
{
    readonly SentenceEncoder _model;
    readonly TrainerSettings _settings;
    readonly TrainerOptions _o;
    readonly IReadOnlyList<TrainingExample> _rows;
    readonly ColumnPlan _plan;
    readonly BatchPass _pass;
    readonly CancellationToken _ct;
    readonly ITrainingEngine _engine;
    readonly RunOutput _output;
    readonly RunCheckpoints _checkpoints;
    readonly BestModelTracker _best;
    readonly List<List<int[]>> _epochs = new();
    TrainerState _state = new();
    int _startStep;
    double? _lastLoggedLoss;
    readonly Losses.ITrainableLoss? _trainableLoss;
    readonly AdamW? _lossOptimizer;
    Monitoring.TrainingMonitor? _monitor;

    /// <summary>Evaluate once before the first step (for the model card); not logged to metrics.jsonl.</summary>
    public bool EvaluateBefore { get; init; }
    /// <summary>Metrics before training, when measured.</summary>
    public IReadOnlyDictionary<string, double>? Before { get; private set; }
    /// <summary>Metrics of the weights the run ends with (the best evaluation when it is restored).</summary>
    public IReadOnlyDictionary<string, double>? After => _best.Final;
    /// <summary>Steps taken so far.</summary>
    public int Steps => _state.Step;

    public TrainingRun(SentenceEncoder model, Backbones.ITrainableBackbone backbone, ITrainingEngineFactory engines, TrainerSettings settings, BatchPass pass,
        IReadOnlyList<TrainingExample> rows, ColumnPlan plan, CancellationToken ct)
    {
        _model = model; _settings = settings; _o = settings.Options; _rows = rows; _plan = plan; _pass = pass; _ct = ct;
        if (_o.Dropout is { } p) { backbone.HiddenDropout = p; backbone.AttentionDropout = p; }
        _engine = engines.Create(model, _o);
        _output = new RunOutput(_o);
        _checkpoints = new RunCheckpoints(_o, _engine);
        _best = new BestModelTracker(_o, _engine.Parameters);
        if (ParameterGroups.Scales(_engine.Parameters, _o, _settings.LearningRate) is { } scales)
        {
            if (_engine is not ManagedTrainingEngine)
            {
                _engine.Dispose();
                throw new ConfigurationException(nameof(TrainerOptions.LayerDecay), "discriminative rates and frozen layers (EmbeddingLearningRate, LayerDecay, FreezeEmbeddings, FreezeLayers) need the managed backend.");
            }
            _engine.Optimizer.RateScales = scales;
        }
        if (pass.Loss is Losses.ITrainableLoss tl)
        {
            // The loss's own weights (SoftmaxLoss's classifier): sized to the embeddings, stepped with the run's rate.
            tl.Initialize(model.Dimensions);
            _trainableLoss = tl;
            _lossOptimizer = new AdamW(tl.Parameters, _o.WeightDecay, epsilon: _o.AdamEpsilon, lazySparseRows: false);
        }
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
        finally { _engine.Dispose(); _monitor?.Dispose(); }
    }

    TrainingSummary Loop()
    {
        int total = TotalSteps();
        int warmup = _o.WarmupSteps ?? Schedule.WarmupSteps(total, _o.WarmupRatio);
        _state.Seed = _o.Seed; _state.TotalSteps = total;
        if (_checkpoints.Resume(_best) is { } resumed)
        {
            _state = resumed;
            _output.TrimTo(_state.Step);
        }
        _output.Prepare(resumed: _checkpoints.ResumedFrom is not null);
        _startStep = _state.Step;
        _monitor = new Monitoring.TrainingMonitor(_o);
        if (_engine.Optimizer.RateScales is { } rateScales) _monitor.RateGroups = ParameterGroups.Groups(_engine.Parameters, rateScales);
        bool stoppedEarly = false;
        double lastEpoch = 0; float lastLoss = 0, lastLr = 0;
        if (EvaluateBefore && _o.Evaluator is { } before && _state.Step == 0) Before = before.Evaluate(_model, _ct);
        int evalEvery = _o.EvalSteps ?? StepsIn(0);
        int probeEvery = _o.ProbeSteps ?? evalEvery;
        int checkedAt = -1;
        bool evaluatedLast = false;
        _output.StartWindow();
        while (_state.Step < total)
        {
            _ct.ThrowIfCancellationRequested();
            int step = _state.Step;
            var (epoch, index) = Locate(step);
            var batches = EpochBatches(epoch);
            int k = _o.GradientAccumulationSteps;
            var micro = batches.Skip(index * k).Take(k).ToList();
            float lr = (float)(_settings.LearningRate * Schedule.Factor(_o.Schedule, step, warmup, total));
            float loss = TrainStep(micro, step, lr);
            _state.Step = step + 1;
            _state.WindowLoss += loss; _state.WindowSteps++;
            _output.Count(micro.Sum(b => b.Length));
            double epochF = epoch + (index + 1.0) / StepsIn(epoch);
            lastEpoch = epochF; lastLoss = loss; lastLr = lr;
            double? logged = null;
            if (_state.Step % Math.Max(1, _o.LoggingSteps) == 0 || _state.Step == total) logged = _lastLoggedLoss = _output.LogTraining(_state, epochF, lr);
            if (logged is { } lg) _monitor.Training(_state.Step, lg, lr);
            evaluatedLast = false;
            bool stop = false;
            if (_o.Evaluator is not null && _state.Step % Math.Max(1, evalEvery) == 0)
            {
                stop = Evaluate(); evaluatedLast = true;
            }
            if (_monitor.HasChecks && (_state.Step % Math.Max(1, probeEvery) == 0 || _state.Step == total)) { Checks(); checkedAt = _state.Step; }
            string? lastCheckpoint = _checkpoints.Last;
            _checkpoints.SaveIfDue(_state, _best.Weights);
            if (_checkpoints.Last != lastCheckpoint) Projector();
            _o.Progress?.Report(new TrainingProgress(_state.Step, total, epochF, loss, lr)
            {
                LoggedLoss = logged,
                Evaluation = evaluatedLast ? _best.Last : null,
                PrimaryMetric = evaluatedLast ? _o.Evaluator!.PrimaryMetric : null,
                IsBest = evaluatedLast && _best.LastIsBest,
            });
            if (stop) { stoppedEarly = true; break; }
        }
        // A resumed run that was already finished ran no step: nothing new to evaluate or log.
        if (_o.Evaluator is not null && !evaluatedLast && _state.Step > _startStep)
        {
            Evaluate();
            _o.Progress?.Report(new TrainingProgress(_state.Step, total, lastEpoch, lastLoss, lastLr)
            {
                Evaluation = _best.Last, PrimaryMetric = _o.Evaluator.PrimaryMetric, IsBest = _best.LastIsBest,
            });
        }
        if (_state.Step > _startStep)
        {
            if (_monitor.HasChecks && checkedAt != _state.Step) Checks();
            Projector();
        }
        _engine.SyncToHost(optimizer: false);
        _best.RestoreIfAsked();
        return new TrainingSummary
        {
            StartStep = _startStep, Step = _state.Step, TotalSteps = total, ResumedFrom = _checkpoints.ResumedFrom,
            FinalLoss = _state.Step > _startStep ? _lastLoggedLoss : null,
            PrimaryMetric = _o.Evaluator?.PrimaryMetric,
            BestMetric = _state.BestMetric, BestStep = _state.BestMetric is null ? null : _state.BestStep,
            StoppedEarly = stoppedEarly,
        };
    }

    float TrainStep(List<int[]> micro, int step, float lr)
    {
        _engine.ZeroGrad();
        if (_trainableLoss is not null) foreach (var p in _trainableLoss.Parameters) p.ZeroGrad();
        double sum = 0;
        for (int mi = 0; mi < micro.Count; mi++)
        {
            float l = _pass.Run(_engine, _plan, _rows, micro[mi], BatchPass.StepSeed(_o.Seed, step, mi), 1f / micro.Count);
            if (!float.IsFinite(l)) throw new TrainingDivergedException(step + 1, l, _checkpoints.Last);
            sum += l;
        }
        if (_o.MaxGradNorm is > 0 and var max) _engine.ClipGradNorm(max);
        _engine.Step(lr);
        if (_trainableLoss is not null)
        {
            if (micro.Count > 1)
                foreach (var p in _trainableLoss.Parameters) System.Numerics.Tensors.TensorPrimitives.Multiply(p.Grad, 1f / micro.Count, p.Grad);
            _lossOptimizer!.Update(lr);
        }
        return (float)(sum / micro.Count);
    }

    /// <summary>Runs the training-time checks on the current weights; logs them to metrics.jsonl and TensorBoard.</summary>
    void Checks()
    {
        _engine.SyncToHost(optimizer: false);
        var m = _monitor!.Check(_model, _state.Step, _ct);
        _output.LogChecks(_state.Step, m);
    }

    /// <summary>The projector's files for the probe texts at this step (with a TensorBoard folder and probe texts).</summary>
    void Projector()
    {
        if (_o.TensorBoardDirectory is null || _o.ProbeTexts is not { Count: > 0 }) return;
        _engine.SyncToHost(optimizer: false);
        _monitor!.Projector(_model, _state.Step, _ct);
    }

    /// <summary>Evaluates, logs the metrics and records them; returns whether to stop early.</summary>
    bool Evaluate()
    {
        var ev = _o.Evaluator!;
        _engine.SyncToHost(optimizer: false);
        var metrics = ev.Evaluate(_model, _ct);
        if (!metrics.TryGetValue(ev.PrimaryMetric, out double primary))
            throw new ConfigurationException("Evaluator", $"evaluator '{ev.Name}' did not return its primary metric '{ev.PrimaryMetric}'.");
        _output.LogEvaluation(_state.Step, metrics);
        _monitor?.Evaluation(_state.Step, metrics);
        return _best.Record(_state, metrics, primary);
    }
}
