namespace MLNet.Embeddings.Cli.Tests;

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
