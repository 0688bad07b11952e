using System.CommandLine;
using System.Text.Json;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Evaluation;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training;
using MLNet.Embeddings.TorchSharp;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed train</c>: fine-tunes a model folder on a training file and writes a sentence-transformers folder.
/// Progress goes to stderr; stdout gets one JSON summary line.
/// </summary>
internal static class TrainCommand
{
    /// <summary>Loss names accepted by <c>--loss</c> (<see cref="LossFactory.Names"/>).</summary>
    public static IReadOnlyList<string> LossNames => LossFactory.Names;

    public static Command Create()
    {
        var arguments = TrainerArguments.Encoder();
        var model = new Option<string>("--model") { Description = "Model folder (sentence-transformers or Hugging Face BERT).", Required = true };
        var train = new Option<string>("--train") { Description = "Training file (JSONL rows, or .txt sentences for simcse).", Required = true };
        var output = new Option<string>("--output") { Description = "Output folder: metrics.jsonl, checkpoints, the fine-tuned model.", Required = true };
        var loss = new Option<string>("--loss") { Description = "Loss: " + string.Join("|", LossNames) + " (default mnrl).", DefaultValueFactory = _ => "mnrl" };
        var mini = new Option<int?>("--mini-batch") { Description = "cached-mnrl: texts per forward chunk (default 32)." };
        var scale = new Option<float?>("--scale") { Description = "Score scale, 1/temperature (mnrl, cosent, simcse, distill; default 20)." };
        var margin = new Option<float?>("--margin") { Description = "Margin (triplet default 5 euclidean, contrastive 0.5)." };
        var eval = new Option<string?>("--eval") { Description = "Evaluation file (JSONL); task detected from its fields." };
        var negatives = new Option<int?>("--negatives") { Description = "Hard negatives per row (mnrl and others taking them; 0: in-batch only). Rows with fewer are filled by seeded sampling from their own negatives, rows with none from other rows'. Default: the count most rows have (said in the log)." };
        var backend = new Option<string>("--backend") { Description = "Training engine: managed (our C# kernels, CPU) or torchsharp (libtorch, CPU or CUDA).", DefaultValueFactory = _ => "managed" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N (cuda needs --backend torchsharp and a CUDA libtorch).", DefaultValueFactory = _ => "cpu" };
        var precision = new Option<string>("--precision") { Description = "fp32, bf16 or fp16 matrix products (bf16/fp16: torchsharp on cuda).", DefaultValueFactory = _ => "fp32" };
        var tensorboard = new Option<string?>("--tensorboard") { Description = "Folder for TensorBoard: event files of loss, learning rate, evaluations and checks; projector files at each checkpoint." };
        var probe = new Option<string?>("--probe") { Description = "Probe texts, one per line: their mean pairwise cosine and spread are logged (collapse warning) and shown in the projector." };
        var probePairs = new Option<string?>("--probe-pairs") { Description = "Labelled pairs (JSONL sentence1, sentence2, label 0/1): mean cosine of similar vs dissimilar pairs is logged." };
        var dims = new Option<string?>("--matryoshka-dims") { Description = "Wrap the loss in Matryoshka at these dimensions, e.g. 384,256,128,64." };

        var command = new Command("train", "Fine-tune an embedding model (sentence-transformers losses, AdamW, checkpoints).");
        arguments.AddTo(command);
        foreach (var o in new Option[] { model, train, output, loss, mini, scale, margin, eval, dims, negatives, backend, device, precision, tensorboard, probe, probePairs })
            command.Options.Add(o);
        command.SetAction(r =>
        {
            RemoteArguments.RefuseTraining(r.GetValue(model), "--model");
            var lossObj = CreateLoss(r.GetValue(loss)!, r.GetValue(scale), r.GetValue(margin), r.GetValue(mini), r.GetValue(dims));
            var opts = arguments.Trainer(r, r.GetValue(output)!, "train", r.GetValue(negatives)); // bad numbers fail before the model and data are loaded
            ApplyBackend(opts, r.GetValue(backend)!, r.GetValue(device)!, r.GetValue(precision)!);
            string trainPath = InputFile.Require(r.GetValue(train)!, "--train");
            opts.TensorBoardDirectory = r.GetValue(tensorboard);
            if (r.GetValue(probe) is { } probePath) opts.ProbeTexts = ProbeFiles.Texts(InputFile.Require(probePath, "--probe"));
            if (r.GetValue(probePairs) is { } pairsPath) opts.ProbePairs = ProbeFiles.Pairs(InputFile.Require(pairsPath, "--probe-pairs"));
            if (r.GetValue(eval) is { } evalPath) opts.Evaluator = EvaluatorFactory.FromFile(InputFile.Require(evalPath, "--eval"));
            opts.Progress = new TrainProgressLines();

            var encoder = SentenceEncoder.Load(ModelArgument.Resolve(r.GetValue(model)!, "--model"));
            using var cts = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, a) => { a.Cancel = true; cts.Cancel(); };
            Console.CancelKeyPress += onCancel;
            SentenceEncoderTrainer trainer;
            try
            {
                trainer = new SentenceEncoderTrainer(encoder, lossObj, opts);
                trainer.Fit(trainPath, cts.Token);
            }
            finally { Console.CancelKeyPress -= onCancel; }
            var run = trainer.LastRun!;
            TrainOutput.Report(run, opts.OutputDirectory!);
            Console.WriteLine(JsonSerializer.Serialize(TrainOutput.Summary(run, opts.OutputDirectory!, lossObj.Name)));
            return 0;
        });
        return command;
    }

    /// <summary>Maps <c>--backend</c>, <c>--device</c> and <c>--precision</c> onto the trainer options (registering TorchSharp when chosen).</summary>
    internal static void ApplyBackend(TrainerOptions opts, string backend, string device, string precision)
    {
        opts.Backend = backend.ToLowerInvariant() switch
        {
            "managed" => TrainingBackend.Managed,
            "torchsharp" => TrainingBackend.TorchSharp,
            _ => throw new ConfigurationException("--backend", $"expected managed or torchsharp, found '{backend}'."),
        };
        opts.Precision = precision.ToLowerInvariant() switch
        {
            "fp32" or "float32" => TrainingPrecision.Float32,
            "bf16" or "bfloat16" => TrainingPrecision.BFloat16,
            "fp16" or "float16" => TrainingPrecision.Float16,
            _ => throw new ConfigurationException("--precision", $"expected fp32, bf16 or fp16, found '{precision}'."),
        };
        string d = device.ToLowerInvariant();
        if (d != "cpu" && opts.Backend == TrainingBackend.Managed)
            throw new ConfigurationException("--device", $"'{device}' needs --backend torchsharp (the managed backend runs on the CPU).");
        if (opts.Precision != TrainingPrecision.Float32 && opts.Backend == TrainingBackend.Managed)
            throw new ConfigurationException("--precision", $"'{precision}' needs --backend torchsharp --device cuda.");
        opts.Device = d;
        if (opts.Backend == TrainingBackend.TorchSharp) TorchSharpBackend.Register();
    }

    /// <summary>The loss for a <c>--loss</c> name through <see cref="LossFactory"/>; errors name the command-line option.</summary>
    internal static ILoss CreateLoss(string name, float? scale, float? margin, int? miniBatch, string? matryoshkaDims)
    {
        int[]? dims = matryoshkaDims is { Length: > 0 }
            ? matryoshkaDims.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(d => int.TryParse(d, out int v) && v > 0 ? v : throw new ConfigurationException("--matryoshka-dims", $"expected positive integers separated by commas, found '{d}'."))
                .ToArray()
            : null;
        try { return LossFactory.Create(name, new LossOptions { Scale = scale, Margin = margin, MiniBatchSize = miniBatch, MatryoshkaDimensions = dims }); }
        catch (ConfigurationException e) when (OptionOf(e.Setting) is { } option)
        {
            throw new ConfigurationException(option, e.Message[(e.Setting.Length + 2)..]);
        }
    }

    static string? OptionOf(string setting) => setting switch
    {
        "loss" => "--loss",
        nameof(LossOptions.Scale) => "--scale",
        nameof(LossOptions.Margin) => "--margin",
        nameof(LossOptions.MiniBatchSize) => "--mini-batch",
        nameof(LossOptions.MatryoshkaDimensions) => "--matryoshka-dims",
        _ => null,
    };
}
