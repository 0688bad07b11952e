using System.CommandLine;
using MLNet.Embeddings.Training;
using MLNet.Embeddings.Training.Reranking;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// The trainer options every training command shares (<c>train</c>, <c>train-reranker</c>, <c>classify train</c>): one
/// declaration of each option and one mapping onto <see cref="TrainerOptions"/>; the head trainers add <c>--chunk-size</c>
/// (<see cref="CrossEncoderTrainerOptions"/>).
/// </summary>
internal sealed class TrainerArguments
{
    readonly Option<int?> _epochs = new("--epochs") { Description = "Passes over the data (default 1)." };
    readonly Option<int?> _maxSteps = new("--max-steps") { Description = "Stop after N optimiser steps (instead of --epochs)." };
    readonly Option<int?> _batch;
    readonly Option<int?>? _chunk;
    readonly Option<float?> _lr;
    readonly Option<double?> _warmup = new("--warmup-ratio") { Description = "Warm-up fraction of all steps (default 0.1)." };
    readonly Option<float?> _wd = new("--weight-decay") { Description = "AdamW weight decay (default 0.01)." };
    readonly Option<float?> _dropout = new("--dropout") { Description = "Dropout during training (default: the model's config)." };
    readonly Option<int?> _seed;
    readonly Option<bool> _noShuffle = new("--no-shuffle") { Description = "Keep file order (reproducible runs)." };
    readonly Option<int?> _evalSteps = new("--eval-steps") { Description = "Evaluate every N steps (default: each epoch)." };
    readonly Option<int?> _ckptSteps = new("--checkpoint-steps") { Description = "Write a checkpoint every N steps (keeps the last 2)." };
    readonly Option<bool> _resume = new("--resume") { Description = "Continue from the newest checkpoint in --output." };
    readonly Option<bool> _overwrite = new("--overwrite") { Description = "Train into a non-empty --output: deletes its metrics.jsonl and checkpoints first." };
    readonly Option<int?> _maxLength;
    readonly Option<float?> _embLr = new("--embedding-lr") { Description = "Learning rate of the embedding layer (e.g. a tenth of --lr); default: as --layer-decay gives." };
    readonly Option<float?> _layerDecay = new("--layer-decay") { Description = "Layer-wise rate decay, top layer at --lr, each lower layer times this (default 1: off)." };
    readonly Option<bool> _freezeEmb = new("--freeze-embeddings") { Description = "Keep the embedding layer's weights fixed." };
    readonly Option<int?> _freezeLayers = new("--freeze-layers") { Description = "Keep the lowest N transformer layers fixed (default 0)." };

    /// <summary>The options of a bi-encoder trainer (<c>train</c>).</summary>
    public static TrainerArguments Encoder() => new(
        "Rows per batch (default 32).", "Peak learning rate (default 2e-5; 5e-2 for static word vectors).",
        "Seed for shuffling and dropout (default 42).", "Token cap per text (default: the model's max_seq_length).", chunks: false);

    /// <summary>The options of a head trainer (<c>train-reranker</c>, <c>classify train</c>), with <c>--chunk-size</c>.</summary>
    public static TrainerArguments Head() => new(
        "Rows (reranker: groups) per step (default 32).", "Peak learning rate (default 2e-5).",
        "Seed for shuffling, dropout and a new head (default 42).", "Token cap per text or pair (default: the model's).", chunks: true);

    TrainerArguments(string batch, string lr, string seed, string maxLength, bool chunks)
    {
        _batch = new("--batch-size") { Description = batch };
        _lr = new("--lr") { Description = lr };
        _seed = new("--seed") { Description = seed };
        _maxLength = new("--max-length") { Description = maxLength };
        if (chunks) _chunk = new("--chunk-size") { Description = "Texts or pairs per forward/backward pass (default 32; whole groups)." };
    }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option?[] { _epochs, _maxSteps, _batch, _chunk, _lr, _warmup, _wd, _dropout, _seed, _noShuffle, _evalSteps, _ckptSteps,
            _resume, _overwrite, _maxLength, _embLr, _layerDecay, _freezeEmb, _freezeLayers })
            if (o is not null) command.Options.Add(o);
    }

    /// <summary>
    /// The trainer options the command line gives, validated, the output folder checked and the log on stderr under
    /// <paramref name="name"/>.
    /// </summary>
    public TrainerOptions Trainer(ParseResult r, string output, string name, int? negativesPerRow = null)
    {
        var opts = new TrainerOptions
        {
            OutputDirectory = output, Shuffle = !r.GetValue(_noShuffle), Resume = r.GetValue(_resume), OverwriteOutputDirectory = r.GetValue(_overwrite),
            MaxSteps = r.GetValue(_maxSteps), Dropout = r.GetValue(_dropout), EvalSteps = r.GetValue(_evalSteps), CheckpointSteps = r.GetValue(_ckptSteps),
            MaxLength = r.GetValue(_maxLength), NegativesPerRow = negativesPerRow, EmbeddingLearningRate = r.GetValue(_embLr), FreezeEmbeddings = r.GetValue(_freezeEmb),
        };
        TrainOutput.Check(output, opts.Resume, opts.OverwriteOutputDirectory);
        if (r.GetValue(_epochs) is { } e) opts.Epochs = e;
        if (r.GetValue(_batch) is { } b) opts.BatchSize = b;
        if (r.GetValue(_lr) is { } l) opts.LearningRate = l;
        if (r.GetValue(_warmup) is { } w) opts.WarmupRatio = w;
        if (r.GetValue(_wd) is { } d) opts.WeightDecay = d;
        if (r.GetValue(_seed) is { } s) opts.Seed = s;
        if (r.GetValue(_layerDecay) is { } ld) opts.LayerDecay = ld;
        if (r.GetValue(_freezeLayers) is { } fl) opts.FreezeLayers = fl;
        opts.Log = message => Console.Error.WriteLine(name + ": " + message);
        opts.Validate();
        return opts;
    }

    /// <summary>The head trainer's options: <see cref="Trainer"/> with progress lines, and the chunk size.</summary>
    public CrossEncoderTrainerOptions Build(ParseResult r, string output, string name, int? negativesPerRow = null)
    {
        var opts = Trainer(r, output, name, negativesPerRow);
        opts.Progress = new TrainProgressLines();
        var options = new CrossEncoderTrainerOptions { Trainer = opts };
        if (_chunk is not null && r.GetValue(_chunk) is { } c) options.ChunkSize = c;
        return options;
    }
}
