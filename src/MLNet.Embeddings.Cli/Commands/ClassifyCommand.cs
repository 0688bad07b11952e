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
        var trainer = TrainerArguments.Head();
        var classWeights = new Option<string>("--class-weights") { Description = "auto: weight each class by rows / (classes × its rows) (scikit-learn's balanced); none (default).", DefaultValueFactory = _ => "none" };

        var command = new Command("train", "Train a sequence classifier end to end (cross-entropy over N labels; AdamW, checkpoints).");
        foreach (var o in new Option[] { model, train, output, eval }) command.Options.Add(o);
        trainer.AddTo(command);
        command.Options.Add(classWeights);
        command.SetAction((r, cancellationToken) =>
        {
            string weighting = r.GetValue(classWeights)!;
            if (weighting is not ("auto" or "none")) throw new ConfigurationException("--class-weights", $"expected auto or none, found '{weighting}'.");
            var options = trainer.Build(r, r.GetValue(output)!, "classify train");
            var opts = options.Trainer;

            string trainPath = InputFile.Require(r.GetValue(train)!, "--train");
            var rows = ClassificationData.Read(trainPath);
            var labels = ClassificationData.Labels(rows, trainPath);
            if (r.GetValue(eval) is { } evalPath)
            {
                evalPath = InputFile.Require(evalPath, "--eval");
                options.ClassificationEvaluator = new ClassificationEvaluator(ClassificationData.Read(evalPath), evalPath);
            }

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
