using System.CommandLine;
using MLNet.Embeddings.Training.Batch;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary><c>mlnet-embed merge --inputs S0 S1 … --output FILE</c>: the JSONL outputs of <c>embed --shard i/N</c>, in shard
/// order, back into one file in input order (byte-identical to one unsharded run).</summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var inputs = new Option<string[]>("--inputs") { Description = "The shard outputs (.jsonl) in shard order: 0/N first.", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output") { Description = "The merged .jsonl (written atomically).", Required = true };
        var command = new Command("merge", "Merge the outputs of 'embed --shard i/N' (in shard order) into one file in input order.");
        command.Options.Add(inputs); command.Options.Add(output);
        command.SetAction((parse, cancellationToken) =>
        {
            var files = parse.GetValue(inputs)!;
            foreach (var f in files) InputFile.Require(f, "--inputs");
            long rows = ShardMerger.Merge(files, parse.GetValue(output)!, cancellationToken);
            Console.Error.WriteLine($"merged {rows} rows from {files.Length} shards → {parse.GetValue(output)}");
            return Task.FromResult(0);
        });
        return command;
    }
}
