using System.CommandLine;
using System.Text.Json;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Training;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Reranking;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed train-reranker</c>: trains a cross-encoder — from a cross-encoder folder, or a new head on any BERT-family
/// (embedding) model — on the JSONL rows the data commands write, and saves a Hugging Face sequence-classification folder.
/// Progress goes to stderr; stdout gets one JSON summary line.
/// </summary>
internal static class TrainRerankerCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Cross-encoder folder, or an embedding / BERT-family model folder to start a new reranker head on.", Required = true };
        var train = new Option<string>("--train") { Description = "Training rows (JSONL): query/pos/neg (bce, listwise), with pos_scores/neg_scores (margin-mse), or sentence1/sentence2/label (bce).", Required = true };
        var output = new Option<string>("--output") { Description = "Output folder: metrics.jsonl, checkpoints, the trained cross-encoder.", Required = true };
        var loss = new Option<string>("--loss") { Description = "Loss: bce|listwise|margin-mse (default listwise).", DefaultValueFactory = _ => "listwise" };
        var eval = new Option<string?>("--eval") { Description = "Held-out rows (query/pos/neg): ranks each query's candidates (ndcg@10 picks the best model)." };
        var epochs = new Option<int?>("--epochs") { Description = "Passes over the data (default 1)." };
        var maxSteps = new Option<int?>("--max-steps") { Description = "Stop after N optimiser steps (instead of --epochs)." };
        var batch = new Option<int?>("--batch-size") { Description = "Rows (groups) per step (default 32)." };
        var chunk = new Option<int?>("--chunk-size") { Description = "Pairs per forward/backward pass (default 32; whole groups)." };
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
        var maxLength = new Option<int?>("--max-length") { Description = "Token cap per (query, document) pair (default: the model's)." };
        var negatives = new Option<int?>("--negatives") { Description = "Negatives per group (listwise, margin-mse: group size − 1; bce: negatives used per row). Default: the count most rows have." };

        var command = new Command("train-reranker", "Train a cross-encoder reranker (BCE, listwise or MarginMSE; AdamW, checkpoints).");
        foreach (var o in new Option[] { model, train, output, loss, eval, epochs, maxSteps, batch, chunk, lr, warmup, wd, dropout, seed, noShuffle, evalSteps, ckptSteps, resume, overwrite, maxLength, negatives })
            command.Options.Add(o);
        command.SetAction((r, cancellationToken) =>
        {
            var kind = r.GetValue(loss) switch
            {
                "bce" => RerankerLoss.Bce,
                "listwise" => RerankerLoss.Listwise,
                "margin-mse" => RerankerLoss.MarginMse,
                var other => throw new ConfigurationException("--loss", $"expected bce, listwise or margin-mse, found '{other}'."),
            };
            var opts = new TrainerOptions
            {
                OutputDirectory = r.GetValue(output), Shuffle = !r.GetValue(noShuffle), Resume = r.GetValue(resume), OverwriteOutputDirectory = r.GetValue(overwrite),
                MaxSteps = r.GetValue(maxSteps), Dropout = r.GetValue(dropout), EvalSteps = r.GetValue(evalSteps), CheckpointSteps = r.GetValue(ckptSteps),
                MaxLength = r.GetValue(maxLength), NegativesPerRow = r.GetValue(negatives),
            };
            TrainOutput.Check(opts.OutputDirectory!, opts.Resume, opts.OverwriteOutputDirectory);
            if (r.GetValue(epochs) is { } e) opts.Epochs = e;
            if (r.GetValue(batch) is { } b) opts.BatchSize = b;
            if (r.GetValue(lr) is { } l) opts.LearningRate = l;
            if (r.GetValue(warmup) is { } w) opts.WarmupRatio = w;
            if (r.GetValue(wd) is { } d) opts.WeightDecay = d;
            if (r.GetValue(seed) is { } s) opts.Seed = s;
            opts.Log = message => Console.Error.WriteLine("train-reranker: " + message);
            opts.Validate();
            var options = new CrossEncoderTrainerOptions { Trainer = opts, Loss = kind };
            if (r.GetValue(chunk) is { } c) options.ChunkSize = c;
            string trainPath = InputFile.Require(r.GetValue(train)!, "--train");
            if (r.GetValue(eval) is { } evalPath) options.Evaluator = new RerankingEvaluator(TrainingDataReader.Read(InputFile.Require(evalPath, "--eval")));
            opts.Progress = new TrainProgressLines();

            string modelPath = ModelArgument.Resolve(r.GetValue(model)!, "--model");
            bool fresh = !CrossEncoder.IsCrossEncoderFolder(modelPath);
            var ce = CrossEncoder.LoadOrCreate(modelPath, opts.Seed);
            Console.Error.WriteLine(fresh
                ? $"train-reranker: new classification head on {modelPath} ({ce.Backbone.Config.ModelType}, hidden {ce.Backbone.HiddenSize})"
                : $"train-reranker: continuing cross-encoder {modelPath}");
            var run = new CrossEncoderTrainer(ce, options).Fit(trainPath, cancellationToken);
            TrainOutput.Report(run, opts.OutputDirectory!);
            Console.WriteLine(JsonSerializer.Serialize(TrainOutput.Summary(run, opts.OutputDirectory!, r.GetValue(loss)!)));
            return Task.FromResult(0);
        });
        return command;
    }
}
