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

    [Fact]
    public void ErrorsInACommandPrintOneLineNotAStackTrace()
    {
        var stderr = new StringWriter();
        var old = Console.Error;
        Console.SetError(stderr);
        int code;
        try { code = CliApp.Run(new[] { "embed", "--model", "/no/such/model-dir", "--input", "/no/such/input.txt" }); }
        finally { Console.SetError(old); }
        Assert.NotEqual(0, code);
        var text = stderr.ToString();
        Assert.StartsWith("error:", text);
        Assert.DoesNotContain("Unhandled exception", text);
        Assert.DoesNotContain("   at ", text);
    }
}
