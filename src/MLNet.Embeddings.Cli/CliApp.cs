using System.CommandLine;
using MLNet.Embeddings.Cli.Commands;

namespace MLNet.Embeddings.Cli;

/// <summary>Builds the <c>mlnet-embed</c> command tree. Each command lives in Commands/ and is listed here once.</summary>
internal static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("mlnet-embed: text embeddings in .NET — encode, fine-tune, build data, evaluate, export.");
        foreach (var command in new[]
                 {
                     // one line per command; keep alphabetical to keep merges trivial
                     DataCommand.Create(),
                     DemoCommand.Create(),
                     EmbedCommand.Create(),
                     ServeCommand.Create(),
                     SimilarityCommand.Create(),
                     TokenizeCommand.Create(),
                     EvalCommand.Create(),
                     PlotCommand.Create(),
                     PlotCurvesCommand.Create(),
                     TrainCommand.Create(),
                     ExportCommand.Create(),
                     InfoCommand.Create(),
                     VersionCommand.Create(),
                 })
            root.Subcommands.Add(command);
        return root;
    }

    public static int Run(string[] args)
    {
        try
        {
            // Our own handler below prints one clear line instead of System.CommandLine's stack trace.
            return Build().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }
}
