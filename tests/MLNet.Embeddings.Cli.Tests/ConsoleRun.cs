namespace MLNet.Embeddings.Cli.Tests;

/// <summary>Runs the CLI in-process with stdout and stderr captured. Callers belong to the "Console" collection,
/// because Console redirection is process-wide.</summary>
internal static class ConsoleRun
{
    public static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o); Console.SetError(e);
        try { return (CliApp.Run(args), o.ToString(), e.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }
}
