using System.Net;
using System.Net.Sockets;
using MLNet.Embeddings.Cli.Tests.Batch;
using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Cli.Tests.Generation;

/// <summary><c>data generate</c> on the command line against <see cref="FakeChatServer"/> (the CLI uses the official OpenAI client).</summary>
[Collection("Console")]
public sealed class GenerateCommandTests
{
    static string FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return $"http://127.0.0.1:{port}/v1";
    }

    [Fact]
    public void BadEndpointSettingsEachGiveOneLineNamingTheOption()
    {
        using var server = new FakeChatServer { Key = "sk-right" };
        string dir = GenerationFixture.TempDir();
        string input = GenerationFixture.WritePassages(dir, GenerationFixture.Passages(3));
        string output = Path.Combine(dir, "pairs.jsonl");
        Environment.SetEnvironmentVariable("MLNET_TEST_RIGHT_KEY", "sk-right");
        Environment.SetEnvironmentVariable("MLNET_TEST_WRONG_KEY", "sk-wrong");
        string[] Args(string url, string model, string keyEnv) => ["data", "generate", "--input", input, "--output", output, "--llm-endpoint", url, "--llm-model", model, "--llm-api-key-env", keyEnv, "--retries", "1", "--timeout", "5"];

        foreach (var (args, option) in new[]
        {
            (Args(FreePort(), "fake-llm", "MLNET_TEST_RIGHT_KEY"), "--llm-endpoint"),
            (Args(server.Url.Replace("/v1", "/nothing-here"), "fake-llm", "MLNET_TEST_RIGHT_KEY"), "--llm-endpoint"),
            (Args(server.Url, "fake-llm", "MLNET_TEST_WRONG_KEY"), "--llm-api-key-env"),
            (Args(server.Url, "fake-llm", "MLNET_TEST_UNSET_KEY"), "--llm-api-key-env"),
            (Args(server.Url, "no-such-model", "MLNET_TEST_RIGHT_KEY"), "--llm-model"),
            (Args("not a url", "fake-llm", "MLNET_TEST_RIGHT_KEY"), "--llm-endpoint"),
        })
        {
            var (code, _, err) = ConsoleRun.Cli(args);
            Assert.Equal(1, code);
            var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("generate:")).ToList();
            Assert.True(lines.Count == 1, err);
            Assert.StartsWith($"error: {option}: ", lines[0]);
            Assert.False(File.Exists(output));
            Assert.False(File.Exists(output + ".partial"));
        }
        // and with the right settings it works
        var ok = ConsoleRun.Cli(Args(server.Url, "fake-llm", "MLNET_TEST_RIGHT_KEY"));
        Assert.True(ok.Code == 0, ok.Err);
        Assert.Contains("\"rows\":", ok.Out);
        Assert.NotEmpty(TrainingDataReader.Read(output));
    }

    [Fact]
    public void DryRunPrintsThePromptsAndSendsNothing()
    {
        string dir = GenerationFixture.TempDir();
        var passages = GenerationFixture.Passages(5);
        string input = GenerationFixture.WritePassages(dir, passages);
        string examples = Path.Combine(dir, "examples.jsonl");
        TrainingDataWriter.WriteAll(examples, [new TrainingExample { Query = "who makes the cheapest bicycles", Pos = ["Quasar builds bicycles in Peru."] }]);
        var (code, stdout, err) = ConsoleRun.Cli("data", "generate", "--input", input, "--output", Path.Combine(dir, "out.jsonl"), "--llm-model", "m", "--dry-run", "--examples", examples, "--per-item", "4");
        Assert.True(code == 0, err);
        Assert.Contains(passages[0], stdout);
        Assert.Contains(passages[2], stdout);
        Assert.DoesNotContain(passages[3], stdout);
        Assert.Contains("Write 4 different search queries", stdout);
        Assert.Contains("who makes the cheapest bicycles", stdout);
        Assert.False(File.Exists(Path.Combine(dir, "out.jsonl")));
    }

    [Fact]
    public async Task KilledWithSigkillMidwayThenResumedLosesNoRowAndRepeatsNone()
    {
        using var server = new FakeChatServer { Delay = TimeSpan.FromMilliseconds(40) };
        string dir = GenerationFixture.TempDir();
        string input = GenerationFixture.WritePassages(dir, GenerationFixture.Passages(120));
        string reference = Path.Combine(dir, "reference.jsonl"), output = Path.Combine(dir, "pairs.jsonl");
        string[] Args(string o) => ["data", "generate", "--input", input, "--output", o, "--llm-endpoint", server.Url, "--llm-model", "fake-llm", "--concurrency", "2"];

        using (var whole = CliProcess.Start(Args(reference)))
        {
            var (code, err) = await whole.WaitAsync();
            Assert.True(code == 0, err);
        }
        string partial = output + ".partial";
        using (var run = CliProcess.Start(Args(output)))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!(File.Exists(partial) && new FileInfo(partial).Length > 3000) && DateTime.UtcNow < deadline && !run.Process.HasExited) await Task.Delay(20);
            Assert.False(run.Process.HasExited, "the run ended before it could be killed");
            await run.KillAsync();
        }
        Assert.False(File.Exists(output));
        long committed = new FileInfo(partial).Length;
        Assert.True(committed > 3000);
        using (var resumed = CliProcess.Start([.. Args(output), "--resume"]))
        {
            var (code, err) = await resumed.WaitAsync();
            Assert.True(code == 0, err);
            Assert.Matches(@"\([1-9][0-9]* by an earlier run\)", err);
        }
        Assert.Equal(File.ReadAllBytes(reference), File.ReadAllBytes(output));
        var queries = TrainingDataReader.Read(output).Select(r => r.Query).ToList();
        Assert.Equal(queries.Count, queries.Distinct().Count());
        Assert.False(File.Exists(partial));
    }
}
