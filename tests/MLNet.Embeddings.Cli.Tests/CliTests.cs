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

public class FlagForTests
{
    [Theory]
    [InlineData("train --model m --train t --output o --batch-size 0", "BatchSize", "--batch-size")]
    [InlineData("train --model m --train t --output o", "MaxSteps", "--max-steps")]
    [InlineData("train --model m --train t --output o", "GradientAccumulationSteps", null)]
    [InlineData("plot --model m --input i --label-column l --output o", "Perplexity", "--perplexity")]
    [InlineData("eval --model m --data d", "Ks", "--k")]
    [InlineData("eval --model m --data d --query-prompt-name q", "PromptName", "--query-prompt-name")]
    [InlineData("similarity --model m --query q --corpus c --prompt-name p", "PromptName", "--prompt-name")]
    [InlineData("similarity --model m --query q --corpus c --query-prompt-name p", "PromptName", "--query-prompt-name")]
    [InlineData("embed --model m --input i", "--pooling", null)]
    public void LibrarySettingsMapToTheInvokedCommandsFlag(string commandLine, string setting, string? flag) =>
        Assert.Equal(flag, CliApp.FlagFor(CliApp.Build().Parse(commandLine.Split(' ')), setting));
}
