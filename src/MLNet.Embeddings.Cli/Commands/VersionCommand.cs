using System.CommandLine;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary><c>mlnet-embed version</c>: prints the library version.</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the MLNet.Embeddings version.");
        command.SetAction(_ =>
        {
            Console.WriteLine(typeof(SentenceEncoder).Assembly.GetName().Version);
            return 0;
        });
        return command;
    }
}
