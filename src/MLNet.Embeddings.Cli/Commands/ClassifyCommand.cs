using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Training;
using MLNet.Embeddings.Training.Classification;
using MLNet.Embeddings.Training.Reranking;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed classify train|predict|eval</c>: sequence classifiers (a classification head trained end to end with a
/// BERT-family encoder) on JSONL rows <c>{"text", "label"}</c> or <c>{"sentence1", "sentence2", "label"}</c>; the model is
/// a Hugging Face <c>*ForSequenceClassification</c> folder with its label set, the same model type as the rerankers.
/// </summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var command = new Command("classify", "Sequence classifiers: train a classification head with the encoder, predict labels, evaluate.");
        command.Subcommands.Add(Train());
        command.Subcommands.Add(Predict());
        command.Subcommands.Add(Eval());
        return command;
    }

    static Command Train()
    {
        var model = new Option<string>("--model") { Description = "Classifier folder to continue, or an embedding / BERT-family model folder to start a new head on.", Required = true };
        var train = new Option<string>("--train") { Description = "Training rows (JSONL): text/label or sentence1/sentence2/label; labels are strings or integers.", Required = true };
        var output = new Option<string>("--output") { Description = "Output folder: metrics.jsonl, checkpoints, the trained classifier.", Required = true };
        var eval = new Option<string?>("--eval") { Description = "Held-out labelled rows: accuracy picks the best model." };
        var epochs = new Option<int?>("--epochs") { Description = "Passes over the data (default 1)." };
        var maxSteps = new Option<int?>("--max-steps") { Description = "Stop after N optimiser steps (instead of --epochs)." };
        var batch = new Option<int?>("--batch-size") { Description = "Rows per step (default 32)." };
        var chunk = new Option<int?>("--chunk-size") { Description = "Rows per forward/backward pass (default 32)." };
        var lr = new Option<float?>("--lr") { Description = "Peak learning rate (default 2e-5)." };
        var warmup = new Option<double?>("--warmup-ratio") { Description = "Warm-up fraction of all steps (default 0.1)." };
        var wd = new Option<float?>("--weight-decay") { Description = "AdamW weight decay (default 0.01)." };
        var dropout = new Option<float?>("--dropout") { Description = "Dropout during training (default: the model's config)." };
        var seed = new Option<int?>("--seed") { Description = "Seed for shuffling, dropout and a new head (default 42)." };
        var noShuffle = new Option<bool>("--no-shuffle") { Description = "Keep file order (reproducible runs)." };
        var evalSteps = new Option<int?>("--eval-steps") { Description = "Evaluate every N steps (default: each epoch)." };
        var ckptSteps = new Option<int?>("--checkpoint-steps") { Description = "Write a checkpoint every N steps (keeps the last 2)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest checkpoint in --output." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Train into a non-empty --output: deletes its metrics.jsonl and checkpoints first." };
        var maxLength = new Option<int?>("--max-length") { Description = "Token cap per text or pair (default: the model's)." };
        var embLr = new Option<float?>("--embedding-lr") { Description = "Learning rate of the embedding layer (e.g. a tenth of --lr); default: as --layer-decay gives." };
        var layerDecay = new Option<float?>("--layer-decay") { Description = "Layer-wise rate decay, top layer at --lr, each lower layer times this (default 1: off)." };
        var freezeEmb = new Option<bool>("--freeze-embeddings") { Description = "Keep the embedding layer's weights fixed." };
        var freezeLayers = new Option<int?>("--freeze-layers") { Description = "Keep the lowest N transformer layers fixed (default 0)." };
        var classWeights = new Option<string>("--class-weights") { Description = "auto: weight each class by rows / (classes × its rows) (scikit-learn's balanced); none (default).", DefaultValueFactory = _ => "none" };

        var command = new Command("train", "Train a sequence classifier end to end (cross-entropy over N labels; AdamW, checkpoints).");
        foreach (var o in new Option[] { model, train, output, eval, epochs, maxSteps, batch, chunk, lr, warmup, wd, dropout, seed, noShuffle, evalSteps, ckptSteps, resume, overwrite, maxLength, embLr, layerDecay, freezeEmb, freezeLayers, classWeights })
            command.Options.Add(o);
        command.SetAction((r, cancellationToken) =>
        {
            string weighting = r.GetValue(classWeights)!;
            if (weighting is not ("auto" or "none")) throw new ConfigurationException("--class-weights", $"expected auto or none, found '{weighting}'.");
            var opts = new TrainerOptions
            {
                OutputDirectory = r.GetValue(output), Shuffle = !r.GetValue(noShuffle), Resume = r.GetValue(resume), OverwriteOutputDirectory = r.GetValue(overwrite),
                MaxSteps = r.GetValue(maxSteps), Dropout = r.GetValue(dropout), EvalSteps = r.GetValue(evalSteps), CheckpointSteps = r.GetValue(ckptSteps),
                MaxLength = r.GetValue(maxLength), EmbeddingLearningRate = r.GetValue(embLr), FreezeEmbeddings = r.GetValue(freezeEmb),
            };
            TrainOutput.Check(opts.OutputDirectory!, opts.Resume, opts.OverwriteOutputDirectory);
            if (r.GetValue(epochs) is { } e) opts.Epochs = e;
            if (r.GetValue(batch) is { } b) opts.BatchSize = b;
            if (r.GetValue(lr) is { } l) opts.LearningRate = l;
            if (r.GetValue(warmup) is { } w) opts.WarmupRatio = w;
            if (r.GetValue(wd) is { } d) opts.WeightDecay = d;
            if (r.GetValue(seed) is { } s) opts.Seed = s;
            if (r.GetValue(layerDecay) is { } ld) opts.LayerDecay = ld;
            if (r.GetValue(freezeLayers) is { } fl) opts.FreezeLayers = fl;
            opts.Log = message => Console.Error.WriteLine("classify train: " + message);
            opts.Validate();
            var options = new CrossEncoderTrainerOptions { Trainer = opts };
            if (r.GetValue(chunk) is { } c) options.ChunkSize = c;

            string trainPath = InputFile.Require(r.GetValue(train)!, "--train");
            var rows = ClassificationData.Read(trainPath);
            var labels = ClassificationData.Labels(rows, trainPath);
            if (r.GetValue(eval) is { } evalPath)
            {
                evalPath = InputFile.Require(evalPath, "--eval");
                options.ClassificationEvaluator = new ClassificationEvaluator(ClassificationData.Read(evalPath), evalPath);
            }
            opts.Progress = new TrainProgressLines();

            string modelPath = ModelArgument.Resolve(r.GetValue(model)!, "--model");
            CrossEncoder classifier;
            if (CrossEncoder.IsCrossEncoderFolder(modelPath))
            {
                classifier = CrossEncoder.Load(modelPath);
                Console.Error.WriteLine($"classify train: continuing classifier {modelPath} (labels {string.Join(", ", classifier.Labels)})");
            }
            else
            {
                classifier = CrossEncoder.FromEncoder(modelPath, labels, opts.Seed);
                Console.Error.WriteLine($"classify train: new classification head on {modelPath} ({classifier.Backbone.Config.ModelType}, hidden {classifier.Backbone.HiddenSize}), labels {string.Join(", ", labels)}");
            }
            if (weighting == "auto")
            {
                options.ClassWeights = ClassificationData.BalancedWeights(rows, classifier.Labels);
                Console.Error.WriteLine("classify train: class weights " + string.Join(", ", classifier.Labels.Select((x, i) => $"{x}={options.ClassWeights[i]:G4}")));
            }
            var run = new CrossEncoderTrainer(classifier, options).Fit(rows, trainPath, cancellationToken);
            TrainOutput.Report(run, opts.OutputDirectory!);
            var summary = TrainOutput.Summary(run, opts.OutputDirectory!, "cross-entropy");
            summary["labels"] = classifier.Labels;
            Console.WriteLine(JsonSerializer.Serialize(summary));
            return Task.FromResult(0);
        });
        return command;
    }

    static Command Predict()
    {
        var model = new Option<string>("--model") { Description = "Classifier folder (classify train's output, or any *ForSequenceClassification folder).", Required = true };
        var input = new Option<string>("--input") { Description = "Rows (JSONL): text, or sentence1/sentence2; a label field is ignored.", Required = true };
        var output = new Option<string?>("--output") { Description = "Predictions (JSONL, one per row in input order); default stdout." };
        var command = new Command("predict", "Predict labels: one JSONL line per row, {\"index\", \"label\", \"scores\": {label: probability}}.");
        foreach (var o in new Option[] { model, input, output }) command.Options.Add(o);
        command.SetAction((r, cancellationToken) =>
        {
            string inputPath = InputFile.Require(r.GetValue(input)!, "--input");
            var classifier = LoadClassifier(r.GetValue(model)!);
            var rows = ClassificationData.Read(inputPath, requireLabels: false);
            var predictions = ClassificationData.Predict(classifier, rows, Progress(rows.Count), cancellationToken);
            void Write(TextWriter w)
            {
                for (int i = 0; i < predictions.Count; i++)
                {
                    var scores = new JsonObject();
                    for (int j = 0; j < classifier.Labels.Count; j++) scores[classifier.Labels[j]] = predictions[i].Probabilities[j];
                    w.Write(new JsonObject { ["index"] = i, ["label"] = predictions[i].Label, ["scores"] = scores }.ToJsonString());
                    w.Write('\n');
                }
            }
            if (r.GetValue(output) is { } path) AtomicText.Write(path, Write);
            else Write(Console.Out);
            Console.Error.WriteLine($"classify predict: {rows.Count} rows");
            return Task.FromResult(0);
        });
        return command;
    }

    static Command Eval()
    {
        var model = new Option<string>("--model") { Description = "Classifier folder.", Required = true };
        var data = new Option<string>("--data") { Description = "Labelled rows (JSONL): text/label or sentence1/sentence2/label.", Required = true };
        var output = new Option<string?>("--output") { Description = "Report (JSON); default stdout." };
        var command = new Command("eval", "Evaluate a classifier: accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix (JSON).");
        foreach (var o in new Option[] { model, data, output }) command.Options.Add(o);
        command.SetAction((r, cancellationToken) =>
        {
            string dataPath = InputFile.Require(r.GetValue(data)!, "--data");
            var classifier = LoadClassifier(r.GetValue(model)!);
            var rows = ClassificationData.Read(dataPath);
            var report = new ClassificationEvaluator(rows, dataPath).Evaluate(classifier, Progress(rows.Count), cancellationToken);
            string json = report.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            if (r.GetValue(output) is { } path) AtomicText.Write(path, w => w.Write(json + "\n"));
            else Console.WriteLine(json);
            Console.Error.WriteLine($"classify eval: {rows.Count} rows, accuracy {report.Accuracy:F4}, macro-F1 {report.MacroF1:F4}");
            return Task.FromResult(0);
        });
        return command;
    }

    static CrossEncoder LoadClassifier(string value)
    {
        string path = ModelArgument.Resolve(value, "--model");
        if (!CrossEncoder.IsCrossEncoderFolder(path))
            throw new ModelFormatException(Path.Combine(path, "config.json"), "is not a sequence-classification model (no *ForSequenceClassification in 'architectures'); train one with classify train.");
        var model = CrossEncoder.Load(path);
        if (model.NumLabels < 2)
            throw new ModelFormatException(Path.Combine(path, "config.json"), "has one output (a reranker); a classifier has two labels or more.");
        return model;
    }

    /// <summary>Batch options that print a progress line to stderr every 1024 rows scored.</summary>
    static CrossEncoderOptions Progress(int total) => new() { Progress = new Lines(total) };

    sealed class Lines(int total) : IProgress<int>
    {
        int _printed;
        public void Report(int value)
        {
            if (value - _printed < 1024 && value < total) return;
            _printed = value;
            Console.Error.WriteLine($"classify: {value} rows scored");
        }
    }
}
