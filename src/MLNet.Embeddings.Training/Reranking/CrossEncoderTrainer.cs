using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tensors;
using MLNet.Embeddings.Tokenization;
using MLNet.Embeddings.Training.Classification;
using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Reranking;

/// <summary>
/// Trains a <see cref="CrossEncoder"/> (backbone and head end to end): as a reranker with binary cross-entropy,
/// FlagEmbedding's listwise loss or MarginMSE, or as a sequence classifier over N labels with (class-weighted)
/// cross-entropy (<see cref="Fit(IReadOnlyList{LabelledText}, string, CancellationToken)"/>). Composed from the trainer's pieces: AdamW, the learning-rate schedules, gradient clipping,
/// checkpoints with exact resume (the data order and dropout masks follow from seed and step), evaluation every N
/// steps with best-model restore and early stopping, metrics.jsonl and a model card.
/// </summary>
/// <example>
/// <code>
/// var model = CrossEncoder.FromEncoder("models/all-MiniLM-L6-v2");
/// var trainer = new CrossEncoderTrainer(model, new CrossEncoderTrainerOptions
/// {
///     Loss = RerankerLoss.Listwise,
///     Trainer = new TrainerOptions { OutputDirectory = "out/reranker", NegativesPerRow = 7, BatchSize = 16 },
/// });
/// trainer.Fit("train-mined.jsonl");
/// </code>
/// </example>
public sealed class CrossEncoderTrainer
{
    /// <summary>Creates a trainer for <paramref name="model"/> (trained in place).</summary>
    public CrossEncoderTrainer(CrossEncoder model, CrossEncoderTrainerOptions? options = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Options = options ?? new CrossEncoderTrainerOptions();
    }

    /// <summary>The model being trained.</summary>
    public CrossEncoder Model { get; }
    /// <summary>The options.</summary>
    public CrossEncoderTrainerOptions Options { get; }

    /// <summary>Trains on a JSONL file (rows as <see cref="TrainingDataReader"/> reads them).</summary>
    public TrainingSummary Fit(string trainFile, CancellationToken cancellationToken = default)
        => Fit(TrainingDataReader.Read(trainFile), trainFile, cancellationToken);

    /// <summary>Trains on rows; <paramref name="source"/> names them in errors and in the model card.</summary>
    /// <exception cref="DatasetFormatException">A row lacks what the loss needs.</exception>
    /// <exception cref="ConfigurationException">The model has more than one label, or an option is out of range.</exception>
    public TrainingSummary Fit(IEnumerable<TrainingExample> rows, string source = "(rows in memory)", CancellationToken cancellationToken = default)
    {
        if (Model.NumLabels != 1) throw new ConfigurationException("model", $"reranker losses train one logit per pair; the model has {Model.NumLabels} labels (train it as a classifier on labelled rows).");
        var o = Options.Trainer;
        o.Validate();
        if (Options.ChunkSize < 1) throw new ConfigurationException(nameof(CrossEncoderTrainerOptions.ChunkSize), $"must be at least 1, found {Options.ChunkSize}.");
        var clock = Stopwatch.StartNew();
        var rowList = rows.ToList();
        var groups = RerankerData.Build(rowList, Options.Loss, o.NegativesPerRow, o.Seed, source, o.Log);
        if (groups.Count == 0) throw new DatasetFormatException(source, 0, null, "no training rows.");
        if (Options.Loss != RerankerLoss.Bce) o.Log?.Invoke($"{Options.Loss}: groups of 1 positive + {groups[0].Documents.Length - 1} negatives, {groups.Count} groups");
        return new Run(this, groups, null, rowList.Count, source, clock).Execute(cancellationToken);
    }

    /// <summary>
    /// Trains a sequence classifier: softmax cross-entropy over the model's labels (weighted by
    /// <see cref="CrossEncoderTrainerOptions.ClassWeights"/>), one text or pair per row; a row's label is looked up in
    /// <see cref="CrossEncoder.Labels"/>. <paramref name="source"/> names the rows in errors and in the model card.
    /// </summary>
    /// <exception cref="DatasetFormatException">A row has no label, or one the model does not have; names the line.</exception>
    /// <exception cref="ConfigurationException">The model has fewer than two labels, the class weights do not match them, or an option is out of range.</exception>
    public TrainingSummary Fit(IReadOnlyList<LabelledText> rows, string source = "(rows in memory)", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (Model.NumLabels < 2) throw new ConfigurationException("model", $"a classifier needs at least two labels; the model has {Model.NumLabels} (a reranker: train it on query/pos/neg rows).");
        if (Options.ClassWeights is { } w && (w.Count != Model.NumLabels || w.Any(x => !(x > 0 && float.IsFinite(x)))))
            throw new ConfigurationException(nameof(CrossEncoderTrainerOptions.ClassWeights), $"expected {Model.NumLabels} positive weights (one per label), found [{string.Join(", ", w)}].");
        var o = Options.Trainer;
        o.Validate();
        if (Options.ChunkSize < 1) throw new ConfigurationException(nameof(CrossEncoderTrainerOptions.ChunkSize), $"must be at least 1, found {Options.ChunkSize}.");
        if (rows.Count == 0) throw new DatasetFormatException(source, 0, null, "no training rows.");
        var clock = Stopwatch.StartNew();
        var targets = ClassificationData.Targets(rows, Model.Labels, source);
        var items = rows.Select((r, i) => (r, targets[i])).ToList();
        return new Run(this, null, items, rows.Count, source, clock).Execute(cancellationToken);
    }

    sealed class Run
    {
        readonly CrossEncoderTrainer _t;
        readonly CrossEncoder _m;
        readonly TrainerOptions _o;
        readonly List<RerankerGroup>? _groups;
        readonly List<(LabelledText Row, int Target)>? _items;
        readonly int _units;
        readonly int _rows;
        readonly string _source;
        readonly Stopwatch _clock;
        readonly List<Parameter> _params;
        readonly AdamW _opt;
        readonly TrainerState _state = new();
        readonly int _perEpoch, _total, _warmup;
        float[][]? _best;
        int[]? _order; int _orderEpoch = -1;
        Dictionary<string, double>? _before, _lastEval;
        readonly Func<CancellationToken, Dictionary<string, double>>? _evaluate;
        readonly string _primary;

        public Run(CrossEncoderTrainer t, List<RerankerGroup>? groups, List<(LabelledText, int)>? items, int rows, string source, Stopwatch clock)
        {
            _t = t; _m = t.Model; _o = t.Options.Trainer; _groups = groups; _items = items; _rows = rows; _source = source; _clock = clock;
            _units = groups?.Count ?? items!.Count;
            if (_o.Dropout is { } p) { _m.Backbone.HiddenDropout = p; _m.Backbone.AttentionDropout = p; _m.Head.Dropout = p; }
            _params = _m.Backbone.Parameters.Concat(_m.Head.Parameters).ToList();
            _opt = new AdamW(_params, _o.WeightDecay, epsilon: _o.AdamEpsilon, lazySparseRows: _o.SparseUpdates ?? false);
            // Discriminative rates (embedding rate, layer decay, frozen layers) by Hugging Face name; the head is "other".
            _opt.RateScales = ParameterGroups.Scales(_params, _o, _o.LearningRate);
            if (_opt.RateScales is { } scales)
                _o.Log?.Invoke("learning-rate groups: " + string.Join(", ", ParameterGroups.Groups(_params, scales).Select(g => $"{g.Group}×{g.Scale:G3}")));
            if (items is not null) { _evaluate = t.Options.ClassificationEvaluator is { } ce ? ct => ce.Metrics(_m, ct) : null; _primary = ClassificationEvaluator.PrimaryMetric; }
            else { _evaluate = t.Options.Evaluator is { } re ? ct => re.Evaluate(_m, cancellationToken: ct) : null; _primary = RerankingEvaluator.PrimaryMetric; }
            _perEpoch = _o.DropLast ? Math.Max(1, _units / _o.BatchSize) : (_units + _o.BatchSize - 1) / _o.BatchSize;
            _total = _o.MaxSteps ?? _perEpoch * _o.Epochs;
            _warmup = _o.WarmupSteps ?? Schedule.WarmupSteps(_total, _o.WarmupRatio);
            _state.Seed = _o.Seed; _state.TotalSteps = _total;
        }

        public TrainingSummary Execute(CancellationToken ct)
        {
            string? resumed = PrepareOutput();
            int start = _state.Step;
            var evaluator = _evaluate;
            if (evaluator is not null && start == 0 && _o.WriteModelCard) _before = evaluator(ct);
            bool stoppedEarly = false;
            double? lastLogged = null;
            for (int step = start; step < _total; step++)
            {
                ct.ThrowIfCancellationRequested();
                foreach (var p in _params) p.ZeroGrad();
                double loss = Step(step, ct);
                if (!double.IsFinite(loss)) throw new TrainingDivergedException(step + 1, (float)loss, _o.OutputDirectory is { } d0 ? Checkpoint.List(d0).Select(c => c.Path).LastOrDefault() : null);
                if (_o.MaxGradNorm is > 0 and { } clip) GradientClipping.ClipByGlobalNorm(_params, clip);
                float lr = (float)(_o.LearningRate * Schedule.Factor(_o.Schedule, step, _warmup, _total));
                _opt.Update(lr);
                _state.Step = step + 1;
                _state.WindowLoss += loss; _state.WindowSteps++;
                double? logged = null;
                if (_state.Step % Math.Max(1, _o.LoggingSteps) == 0 || _state.Step == _total)
                {
                    logged = _state.WindowLoss / _state.WindowSteps; lastLogged = logged;
                    Append(new JsonObject { ["step"] = _state.Step, ["epoch"] = Epoch(), ["loss"] = logged, ["learning_rate"] = lr });
                    _state.WindowLoss = 0; _state.WindowSteps = 0;
                }
                Dictionary<string, double>? eval = null; bool isBest = false;
                bool evalNow = evaluator is not null && (_o.EvalSteps is { } every ? _state.Step % every == 0 : _state.Step % _perEpoch == 0 || _state.Step == _total);
                if (evalNow)
                {
                    eval = evaluator!(ct); _lastEval = eval;
                    double metric = eval[_primary];
                    isBest = _state.BestMetric is not { } b || metric > b;
                    if (isBest) { _state.BestMetric = metric; _state.BestStep = _state.Step; _state.EvalsWithoutImprovement = 0; _best = _params.Select(p => (float[])p.Value.Clone()).ToArray(); }
                    else _state.EvalsWithoutImprovement++;
                    Append(new JsonObject { ["step"] = _state.Step, ["eval"] = new JsonObject(eval.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)(double.IsFinite(kv.Value) ? kv.Value : null)))) });
                }
                _o.Progress?.Report(new TrainingProgress(_state.Step, _total, Epoch(), (float)loss, lr)
                { LoggedLoss = logged, Evaluation = eval, PrimaryMetric = eval is null ? null : _primary, IsBest = isBest });
                if (_o.OutputDirectory is { } dir && _o.CheckpointSteps is > 0 and { } every2 && _state.Step % every2 == 0 && _state.Step < _total)
                    Checkpoint.Write(dir, _state, _params, _opt, _best, _o.CheckpointsToKeep);
                if (_o.EarlyStoppingPatience is { } patience && _state.EvalsWithoutImprovement >= patience) { stoppedEarly = true; break; }
            }
            if (_o.LoadBestModelAtEnd && _best is not null)
                for (int i = 0; i < _params.Count; i++) { _best[i].CopyTo(_params[i].Value, 0); _params[i].MarkChanged(); }
            if (_o.OutputDirectory is { } outDir && _o.SaveModel)
            {
                _m.Save(outDir);
                if (_o.WriteModelCard) Card().Write(outDir);
            }
            return new TrainingSummary
            {
                StartStep = start, Step = _state.Step, TotalSteps = _total, ResumedFrom = resumed, FinalLoss = lastLogged,
                PrimaryMetric = evaluator is null ? null : _primary, BestMetric = _state.BestMetric,
                BestStep = _state.BestMetric is null ? null : _state.BestStep, StoppedEarly = stoppedEarly,
            };
        }

        double Epoch() => (double)_state.Step / _perEpoch;

        /// <summary>Creates or resumes the output folder; returns the checkpoint resumed from.</summary>
        string? PrepareOutput()
        {
            if (_o.OutputDirectory is not { } dir) return null;
            Directory.CreateDirectory(dir);
            string? from = _o.ResumeFrom ?? (_o.Resume ? Checkpoint.List(dir).Select(c => c.Path).LastOrDefault() : null);
            if (from is not null)
            {
                var state = Checkpoint.Read(from, _params, _opt, out _best);
                if (state.Seed != _o.Seed || state.TotalSteps != _total)
                    throw new ConfigurationException("Resume", $"checkpoint {from} was written with seed {state.Seed} and {state.TotalSteps} steps; this run has seed {_o.Seed} and {_total} steps.");
                _state.Step = state.Step; _state.BestMetric = state.BestMetric; _state.BestStep = state.BestStep;
                _state.EvalsWithoutImprovement = state.EvalsWithoutImprovement; _state.WindowLoss = state.WindowLoss; _state.WindowSteps = state.WindowSteps;
                TrimMetrics(dir, _state.Step);
                return from;
            }
            bool used = File.Exists(Path.Combine(dir, "metrics.jsonl")) || Checkpoint.List(dir).Count > 0;
            if (used && !_o.OverwriteOutputDirectory)
                throw new ConfigurationException(nameof(TrainerOptions.OutputDirectory), $"'{dir}' holds an earlier run (metrics.jsonl or checkpoint-N); resume it or allow overwriting.");
            File.Delete(Path.Combine(dir, "metrics.jsonl"));
            foreach (var c in Checkpoint.List(dir)) Directory.Delete(c.Path, true);
            return null;
        }

        int[] Order(int epoch)
        {
            if (_orderEpoch == epoch) return _order!;
            var order = Enumerable.Range(0, _units).ToArray();
            if (_o.Shuffle) new Random(unchecked(_o.Seed * 1_000_003 + epoch)).Shuffle(order);
            _orderEpoch = epoch;
            return _order = order;
        }

        /// <summary>Forward and backward of one step's groups, chunk by chunk; returns the step's mean loss.</summary>
        double Step(int step, CancellationToken ct)
        {
            int epoch = step / _perEpoch, within = step % _perEpoch;
            var order = Order(epoch);
            if (_items is not null) return ClassifierStep(step, order.Skip(within * _o.BatchSize).Take(_o.BatchSize).Select(i => _items[i]).ToList(), ct);
            var batch = order.Skip(within * _o.BatchSize).Take(_o.BatchSize).Select(i => _groups![i]).ToList();
            var loss = _t.Options.Loss;
            int totalPairs = batch.Sum(g => g.Documents.Length);
            int maxLength = _o.MaxLength ?? _m.MaxLength;
            double sum = 0;
            int chunkIndex = 0;
            for (int from = 0; from < batch.Count; chunkIndex++)
            {
                ct.ThrowIfCancellationRequested();
                int to = from, pairs = 0;
                while (to < batch.Count && (to == from || pairs + batch[to].Documents.Length <= _t.Options.ChunkSize)) pairs += batch[to++].Documents.Length;
                var chunk = batch.GetRange(from, to - from);
                var texts = new List<TokenizedText>(pairs);
                var targets = new float[pairs];
                int k = 0;
                foreach (var g in chunk)
                    for (int i = 0; i < g.Documents.Length; i++, k++) { texts.Add(_m.Tokenize(g.Query, g.Documents[i], maxLength)); targets[k] = g.Targets[i]; }
                var tokens = TokenBatch.From(texts);
                ulong seed = unchecked((ulong)(uint)_o.Seed * 0x9E3779B97F4A7C15UL ^ ((ulong)step << 20) ^ (ulong)chunkIndex);
                var hidden = _m.Backbone.ForwardTrain(tokens, seed);
                try
                {
                    var head = _m.Head.ForwardTrain(hidden.Output, tokens, seed);
                    var grad = new float[pairs];
                    int groupSize = loss == RerankerLoss.Bce ? 1 : chunk[0].Documents.Length;
                    double chunkLoss = RerankerLosses.Compute(loss, head.Logits, targets, groupSize, grad);
                    double weight = loss == RerankerLoss.Bce ? (double)pairs / totalPairs : (double)chunk.Count / batch.Count;
                    for (int i = 0; i < grad.Length; i++) grad[i] = (float)(grad[i] * weight);
                    sum += chunkLoss * weight;
                    _m.Backbone.Backward(hidden, _m.Head.Backward(head, grad));
                }
                finally { (hidden as IDisposable)?.Dispose(); }
                from = to;
            }
            return sum;
        }

        /// <summary>One classifier step: chunks of <see cref="CrossEncoderTrainerOptions.ChunkSize"/> rows, cross-entropy over the labels.</summary>
        double ClassifierStep(int step, List<(LabelledText Row, int Target)> batch, CancellationToken ct)
        {
            var weights = _t.Options.ClassWeights;
            double denominator = batch.Sum(b => ClassificationLoss.Weight(weights, b.Target));
            int maxLength = _o.MaxLength ?? _m.MaxLength, labels = _m.NumLabels;
            double sum = 0;
            for (int from = 0, chunkIndex = 0; from < batch.Count; from += _t.Options.ChunkSize, chunkIndex++)
            {
                ct.ThrowIfCancellationRequested();
                var chunk = batch.GetRange(from, Math.Min(_t.Options.ChunkSize, batch.Count - from));
                var tokens = TokenBatch.From(chunk.Select(c => _m.Tokenize(c.Row.Text, c.Row.Second, maxLength)).ToList());
                var targets = chunk.Select(c => c.Target).ToArray();
                ulong seed = unchecked((ulong)(uint)_o.Seed * 0x9E3779B97F4A7C15UL ^ ((ulong)step << 20) ^ (ulong)chunkIndex);
                var hidden = _m.Backbone.ForwardTrain(tokens, seed);
                try
                {
                    var head = _m.Head.ForwardTrain(hidden.Output, tokens, seed);
                    var grad = new float[chunk.Count * labels];
                    sum += ClassificationLoss.Compute(head.Logits, targets, labels, weights, denominator, grad);
                    _m.Backbone.Backward(hidden, _m.Head.Backward(head, grad));
                }
                finally { (hidden as IDisposable)?.Dispose(); }
            }
            return sum;
        }

        void Append(JsonObject line)
        {
            if (_o.OutputDirectory is not { } dir) return;
            File.AppendAllText(Path.Combine(dir, "metrics.jsonl"), line.ToJsonString() + "\n");
        }

        static void TrimMetrics(string dir, int step)
        {
            string path = Path.Combine(dir, "metrics.jsonl");
            if (!File.Exists(path)) return;
            var keep = File.ReadAllLines(path).Where(l =>
            {
                try { using var d = JsonDocument.Parse(l); return d.RootElement.GetProperty("step").GetInt32() <= step; }
                catch (JsonException) { return false; }
            }).ToArray();
            string tmp = path + ".tmp";
            File.WriteAllLines(tmp, keep);
            File.Move(tmp, path, true);
        }

        ModelCard Card()
        {
            var card = new ModelCard
            {
                CreatedUtc = DateTime.UtcNow.ToString("O"), BaseModel = _m.SourcePath, Loss = _items is null ? "CrossEncoder" + _t.Options.Loss + "Loss" : _t.Options.ClassWeights is null ? "CrossEntropyLoss" : "CrossEntropyLoss(weight)",
                Steps = _state.Step, TrainingSeconds = _clock.Elapsed.TotalSeconds,
                Evaluator = _evaluate is null ? null : _items is null ? nameof(RerankingEvaluator) : nameof(ClassificationEvaluator),
                PrimaryMetric = _evaluate is null ? null : _primary,
                EvaluationBefore = _before is null ? null : new SortedDictionary<string, double>(_before),
                EvaluationAfter = _lastEval is null ? null : new SortedDictionary<string, double>(_lastEval),
            };
            card.TrainingData.Add(new ModelCardDataset { Path = _source, Rows = _rows, Sha256 = File.Exists(_source) ? Sha256(_source) : null });
            card.Hyperparameters["learning_rate"] = _o.LearningRate;
            card.Hyperparameters["batch_size"] = _o.BatchSize;
            card.Hyperparameters["epochs"] = _o.Epochs;
            card.Hyperparameters["group_size"] = _items is not null || _t.Options.Loss == RerankerLoss.Bce ? null : _groups![0].Documents.Length;
            if (_items is not null) card.Hyperparameters["labels"] = string.Join(", ", _m.Labels);
            if (_t.Options.ClassWeights is { } cw) card.Hyperparameters["class_weights"] = string.Join(", ", cw.Select(x => x.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)));
            card.Hyperparameters["warmup_steps"] = _warmup;
            card.Hyperparameters["schedule"] = _o.Schedule.ToString();
            card.Hyperparameters["weight_decay"] = _o.WeightDecay;
            card.Hyperparameters["seed"] = _o.Seed;
            card.Hyperparameters["max_length"] = _o.MaxLength ?? _m.MaxLength;
            return card;
        }

        static string Sha256(string path)
        {
            using var s = File.OpenRead(path);
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(s));
        }
    }
}
