using System.CommandLine;
using System.CommandLine.Invocation;
using System.Runtime.InteropServices;
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
        int signal = 0;
        try
        {
            var parseResult = Build().Parse(args);
            // Our own handler below prints one clear line instead of System.CommandLine's stack trace.
            var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
            if (parseResult.Action is not AsynchronousCommandLineAction)
                return parseResult.Invoke(configuration);
            // Commands taking a cancellation token do their work before returning their task, so System.CommandLine
            // would register its Ctrl+C / SIGTERM handler only after the work is done, and a signal would kill the
            // process mid-write (leaving the temp file). Ours is registered first: the first signal cancels the token
            // (the command stops, removes its temp file, exits 130 / 143); a second one terminates as usual.
            using var cancel = new CancellationTokenSource();
            void OnSignal(PosixSignalContext context)
            {
                if (Interlocked.CompareExchange(ref signal, context.Signal == PosixSignal.SIGTERM ? 143 : 130, 0) != 0) return;
                context.Cancel = true;
                cancel.Cancel();
            }
            using var sigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            configuration.ProcessTerminationTimeout = null;
            return parseResult.InvokeAsync(configuration, cancel.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return signal != 0 ? signal : 130;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }
}
