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
                     // one line per command; alphabetical, so that merges stay trivial
                     ClassifyCommand.Create(),
                     ConvertCommand.Create(),
                     DataCommand.Create(),
                     DemoCommand.Create(),
                     EmbedCommand.Create(),
                     EvalCommand.Create(),
                     ExportCommand.Create(),
                     InfoCommand.Create(),
                     MergeCommand.Create(),
                     ModelsCommand.Create(),
                     PlotCommand.Create(),
                     PlotCurvesCommand.Create(),
                     ServeCommand.Create(),
                     SimilarityCommand.Create(),
                     TokenizeCommand.Create(),
                     TrainCommand.Create(),
                     TrainRerankerCommand.Create(),
                     VersionCommand.Create(),
                 })
            root.Subcommands.Add(command);
        return root;
    }

    public static int Run(string[] args)
    {
        int signal = 0;
        ParseResult? parseResult = null;
        try
        {
            parseResult = Build().Parse(args);
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
        catch (ConfigurationException ex) when (parseResult is not null && FlagFor(parseResult, ex.Setting) is { } flag)
        {
            // The library names its EncodeOptions / trainer property (BatchSize); the user typed a flag (--batch-size).
            string message = ex.Message.StartsWith(ex.Setting + ": ", StringComparison.Ordinal) ? ex.Message[(ex.Setting.Length + 2)..] : ex.Message;
            Console.Error.WriteLine($"error: {flag}: {message}");
            return 1;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }

    /// <summary>The invoked command's flag for a library setting (<c>BatchSize</c> → <c>--batch-size</c>,
    /// <c>PromptName</c> → <c>--query-prompt-name</c> where that is the one given), or null when none matches.</summary>
    internal static string? FlagFor(ParseResult parseResult, string setting)
    {
        if (setting.StartsWith('-')) return null; // already a flag
        if (setting == "Ks") setting = "K";        // InformationRetrievalOptions.Ks is eval's --k
        if (setting == "NegativesPerRow") setting = "Negatives"; // TrainerOptions.NegativesPerRow is train's --negatives
        if (setting == "LearningRate") setting = "Lr";             // and TrainerOptions.LearningRate its --lr
        var kebab = new System.Text.StringBuilder("--");
        for (int i = 0; i < setting.Length; i++)
        {
            char c = setting[i];
            if (char.IsUpper(c) && i > 0 && setting[i - 1] != '_') kebab.Append('-');
            kebab.Append(c == '_' ? '-' : char.ToLowerInvariant(c));
        }
        string exact = kebab.ToString(), suffix = "-" + exact[2..];
        var options = parseResult.CommandResult.Command.Options;
        var candidates = options.Where(o => o.Name == exact || o.Name.EndsWith(suffix, StringComparison.Ordinal)).ToList();
        bool Given(Option o) => parseResult.GetResult(o) is { Implicit: false };
        var given = candidates.Where(Given).ToList();
        if (given.Count == 1) return given[0].Name;
        if (candidates.Any(o => o.Name == exact)) return exact;
        return candidates.Count == 1 ? candidates[0].Name : null;
    }
}
