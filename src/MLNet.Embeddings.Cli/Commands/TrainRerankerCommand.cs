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
        var trainer = TrainerArguments.Head();
        var negatives = new Option<int?>("--negatives") { Description = "Negatives per group (listwise, margin-mse: group size − 1; bce: negatives used per row). Default: the count most rows have." };

        var command = new Command("train-reranker", "Train a cross-encoder reranker (BCE, listwise or MarginMSE; AdamW, checkpoints).");
        foreach (var o in new Option[] { model, train, output, loss, eval }) command.Options.Add(o);
        trainer.AddTo(command);
        command.Options.Add(negatives);
        command.SetAction((r, cancellationToken) =>
        {
            var kind = r.GetValue(loss) switch
            {
                "bce" => RerankerLoss.Bce,
                "listwise" => RerankerLoss.Listwise,
                "margin-mse" => RerankerLoss.MarginMse,
                var other => throw new ConfigurationException("--loss", $"expected bce, listwise or margin-mse, found '{other}'."),
            };
            var options = trainer.Build(r, r.GetValue(output)!, "train-reranker", r.GetValue(negatives));
            options.Loss = kind;
            var opts = options.Trainer;
            string trainPath = InputFile.Require(r.GetValue(train)!, "--train");
            if (r.GetValue(eval) is { } evalPath) options.Evaluator = new RerankingEvaluator(TrainingDataReader.Read(InputFile.Require(evalPath, "--eval")));

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
