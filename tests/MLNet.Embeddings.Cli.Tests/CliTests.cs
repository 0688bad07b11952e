namespace MLNet.Embeddings.Cli.Tests;

[Collection("Console")] // VersionSucceeds writes to Console.Out, which other tests redirect
public class CliTests
{
    [Fact]
    public void UnknownCommandFails()
    {
        Assert.NotEqual(0, CliApp.Run(new[] { "no-such-command" }));
    }

    [Fact]
    public void VersionSucceeds()
    {
        Assert.Equal(0, CliApp.Run(new[] { "version" }));
    }
}
