namespace MLNet.Embeddings.Cli;

internal static class CliApp
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("mlnet-embed: not yet wired");
        return 1;
    }
}
