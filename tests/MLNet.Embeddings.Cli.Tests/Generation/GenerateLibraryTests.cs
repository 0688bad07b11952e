using System.Text.Json;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Data.Generation;

namespace MLNet.Embeddings.Cli.Tests.Generation;

/// <summary><see cref="DataGenerator"/> through the official OpenAI client against <see cref="FakeChatServer"/>.</summary>
public sealed class GenerateLibraryTests
{
    [Fact]
    public async Task QueriesAreTrainingRowsWithProvenanceInThePassagesLanguage()
    {
        using var server = new FakeChatServer();
        string dir = GenerationFixture.TempDir();
        var passages = GenerationFixture.Passages(12);
        passages.Add("腾讯控股在二零二三年的营业收入达到六千亿元人民币，其中游戏业务贡献了三成以上的利润。");
        string input = GenerationFixture.WritePassages(dir, passages);
        string output = Path.Combine(dir, "pairs.jsonl");
        using var client = GenerationFixture.Client(server);
        var summary = await DataGenerator.RunAsync(client, new GenerationOptions { Input = input, Output = output, Seed = 42, Temperature = 0.3f, PricePer1KTokens = 0.5 });

        var rows = TrainingDataReader.Read(output).ToList();
        Assert.Equal(13, summary.Requests);
        Assert.Equal(13, server.Requests.Count);
        Assert.Equal(rows.Count, summary.Rows);
        Assert.Equal(summary.Kept, rows.Count);
        Assert.True(rows.Count >= 30, $"expected most of the 39 queries kept, got {rows.Count}: {JsonSerializer.Serialize(summary.Dropped)}");
        foreach (var row in rows)
        {
            var source = row.Extra!["source"];
            Assert.Equal("llm", source.GetProperty("generator").GetString());
            Assert.Equal("fake-llm", source.GetProperty("model").GetString());
            Assert.Equal("queries", source.GetProperty("task").GetString());
            Assert.Equal("queries-v1", source.GetProperty("template").GetString());
            Assert.Equal(passages[source.GetProperty("item").GetInt32()], Assert.Single(row.Pos));
        }
        var chinese = rows.Where(r => r.Pos[0].StartsWith("腾讯")).ToList();
        Assert.NotEmpty(chinese);
        Assert.All(chinese, r => Assert.Contains(r.Query, c => c >= 0x4E00 && c <= 0x9FFF));
        // the prompt asked for Chinese, temperature and seed went over the wire
        var bodies = server.Requests.Select(r => r.Body).ToList();
        Assert.Contains(bodies, b => b["messages"]!.AsArray().Any(m => m!["content"]!.GetValue<string>().Contains("Chinese")));
        Assert.All(bodies, b => Assert.Equal(0.3, b["temperature"]!.GetValue<double>(), 5));
        Assert.All(bodies, b => Assert.Equal(42, b["seed"]!.GetValue<long>()));
        Assert.True(summary.InputTokens > 13 * 50, $"{summary.InputTokens}");
        Assert.True(summary.OutputTokens > 0);
        Assert.Equal((summary.InputTokens + summary.OutputTokens) / 1000.0 * 0.5, summary.Cost!.Value, 9);
        Assert.False(File.Exists(output + ".partial"));
    }

    [Fact]
    public async Task FaultsAreRetriedOrCountedAndEveryOtherRowStillArrives()
    {
        using var server = new FakeChatServer { SlowDelay = TimeSpan.FromSeconds(4) };
        foreach (var f in new[] { "429", "500", "slow", "malformed", "empty", "refusal", "refusal-text" }) server.Faults.Enqueue(f);
        string dir = GenerationFixture.TempDir();
        string input = GenerationFixture.WritePassages(dir, GenerationFixture.Passages(8));
        string output = Path.Combine(dir, "pairs.jsonl");
        var retry = new ChatRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromSeconds(1.5) };
        using var client = GenerationFixture.Client(server, retry: retry);
        var summary = await DataGenerator.RunAsync(client, new GenerationOptions { Input = input, Output = output, MaxConcurrency = 1 });

        // one fault per HTTP request: item 0 gets 429 (waits Retry-After: 1 s), then 500, then a reply past the timeout,
        // each retried, then malformed JSON (a 200: not retried, the request fails); item 1 empty choices; item 2 the API's
        // refusal field; item 3 a refusal as text; items 4-7 are answered
        var times = server.Requests.Select(r => r.At).ToList();
        Assert.True(times[1] - times[0] >= TimeSpan.FromSeconds(0.95), $"Retry-After ignored: {(times[1] - times[0]).TotalSeconds} s");
        Assert.True(times[3] - times[2] >= TimeSpan.FromSeconds(1.4), "the slow reply was not waited for up to the timeout");
        Assert.Equal(8, summary.Requests);
        Assert.Equal(11, server.Requests.Count);
        Assert.Equal(2, summary.FailedRequests + summary.Dropped.GetValueOrDefault("parse_failure"));
        Assert.Equal(2, summary.Dropped["refusal"]);
        var items = TrainingDataReader.Read(output).Select(r => r.Extra!["source"].GetProperty("item").GetInt32()).Distinct().Order().ToList();
        Assert.Equal([4, 5, 6, 7], items);
    }

    [Fact]
    public async Task FiltersDropAndCountEachKind()
    {
        using var server = new FakeChatServer();
        string dir = GenerationFixture.TempDir();
        var passages = GenerationFixture.Passages(10);
        string input = GenerationFixture.WritePassages(dir, passages);
        string output = Path.Combine(dir, "pairs.jsonl");
        // one passage's answer: a good query, its exact and near duplicates, too short, too long, Chinese for an English passage, off-topic
        server.Custom = prompt => prompt.Contains(passages[0]) ?
        [
            "What revenue did Acme report from turbines sold across Norway in fiscal 2001?",
            "what revenue did ACME report from turbines  sold across Norway in FISCAL 2001?",
            "What revenue did Acme report from turbines sold across Norway in fiscal 2001 exactly?",
            "Acm",
            new string('x', 400),
            "这家公司的收入是多少",
            "zebra giraffe penguin",
        ] : FakeChatServer.Answer(prompt).Take(2).ToList();
        using var client = GenerationFixture.Client(server);
        var summary = await DataGenerator.RunAsync(client, new GenerationOptions { Input = input, Output = output, PerItem = 7 });

        string dropped = JsonSerializer.Serialize(summary.Dropped);
        Assert.True(summary.Dropped.GetValueOrDefault("exact_duplicate") == 1, dropped);
        Assert.Equal(1, summary.Dropped["near_duplicate"]);
        Assert.Equal(2, summary.Dropped["length"]);
        Assert.Equal(1, summary.Dropped["language"]);
        Assert.True(summary.Dropped["round_trip"] >= 1);
        var first = TrainingDataReader.Read(output).Where(r => r.Pos[0] == passages[0]).Select(r => r.Query).ToList();
        Assert.Equal(["What revenue did Acme report from turbines sold across Norway in fiscal 2001?"], first);
    }

    sealed class RuleJudge : IRelevanceJudge
    {
        // the positive scores 0.5; a generated negative naming an earlier period scores 0.9 when it contains a 3, else 0.1
        public IReadOnlyList<float> Score(string query, IReadOnlyList<string> passages) =>
            passages.Select(p => !p.StartsWith("In an earlier period") ? 0.5f : p.Contains('3') ? 0.9f : 0.1f).ToList();
    }

    [Fact]
    public async Task NegativesAreAppendedUnlessTheJudgeScoresThemAboveThePositive_AndParaphrasesAddRows()
    {
        using var server = new FakeChatServer();
        string dir = GenerationFixture.TempDir();
        var passages = GenerationFixture.Passages(6);
        string train = Path.Combine(dir, "train.jsonl");
        TrainingDataWriter.WriteAll(train, passages.Select((p, i) => new TrainingExample { Query = $"revenue of company {i} in fiscal {2001 + i}", Pos = [p], Neg = ["an unrelated mined negative " + i] }));
        using var client = GenerationFixture.Client(server);

        string negOut = Path.Combine(dir, "neg.jsonl");
        var neg = await DataGenerator.RunAsync(client, new GenerationOptions { Input = train, Output = negOut, Task = GenerationTask.Negatives, PerItem = 3, Judge = new RuleJudge() });
        var rows = TrainingDataReader.Read(negOut).ToList();
        Assert.Equal(6, rows.Count);
        Assert.True(neg.Dropped["judge"] >= 1);
        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            Assert.Equal("an unrelated mined negative " + i, row.Neg[0]);
            var generated = row.Neg.Skip(1).ToList();
            Assert.All(generated, g => { Assert.StartsWith("In an earlier period", g); Assert.DoesNotContain('3', g); });
            if (generated.Count > 0) Assert.Equal(generated.Count, row.Extra!["neg_source"].GetProperty("count").GetInt32());
        }
        Assert.Equal(neg.Kept, rows.Sum(r => r.Neg.Count - 1));

        string paraOut = Path.Combine(dir, "para.jsonl");
        var para = await DataGenerator.RunAsync(client, new GenerationOptions { Input = train, Output = paraOut, Task = GenerationTask.Paraphrases, PerItem = 2 });
        var prow = TrainingDataReader.Read(paraOut).ToList();
        Assert.Equal(6 + para.Kept, prow.Count);
        Assert.True(para.Kept >= 6);
        Assert.All(prow.Where(r => r.Extra is not null), r => Assert.Equal("paraphrases", r.Extra!["source"].GetProperty("task").GetString()));
        Assert.All(prow, r => Assert.Single(r.Pos));
    }

    [Fact]
    public async Task ABudgetStopsWithCommittedRowsAndResumeFinishesLikeOneRun()
    {
        using var server = new FakeChatServer();
        string dir = GenerationFixture.TempDir();
        string input = GenerationFixture.WritePassages(dir, GenerationFixture.Passages(10));
        using var client = GenerationFixture.Client(server);
        string reference = Path.Combine(dir, "reference.jsonl"), output = Path.Combine(dir, "pairs.jsonl");
        var whole = await DataGenerator.RunAsync(client, new GenerationOptions { Input = input, Output = reference });

        var first = await DataGenerator.RunAsync(client, new GenerationOptions { Input = input, Output = output, MaxRequests = 4 });
        Assert.True(first.BudgetReached);
        Assert.Equal(4, first.Items);
        Assert.False(File.Exists(output));
        Assert.True(File.Exists(output + ".partial"));
        var second = await DataGenerator.RunAsync(client, new GenerationOptions { Input = input, Output = output, Resume = true });
        Assert.False(second.BudgetReached);
        Assert.Equal(4, second.ResumedItems);
        Assert.Equal(10, second.Requests);
        Assert.Equal(whole.Rows, second.Rows);
        Assert.Equal(File.ReadAllBytes(reference), File.ReadAllBytes(output));
    }

    [Fact]
    public void TemplatesParseAndRenderAndOverridesNameThemselves()
    {
        var t = PromptTemplate.Default(GenerationTask.Queries);
        Assert.Equal("queries-v1", t.Id);
        Assert.Contains("{{passage}}", t.User);
        string dir = GenerationFixture.TempDir();
        string file = Path.Combine(dir, "short-queries.txt");
        File.WriteAllText(file, "[system]\nBe brief.\n[user]\nGive {{n}} queries for: {{passage}}\n");
        var custom = PromptTemplate.Load(file);
        Assert.Equal("short-queries", custom.Id);
        Assert.Equal("Be brief.", custom.System);
        Assert.Equal("Give 2 queries for: abc", custom.Render(new Dictionary<string, string> { ["n"] = "2", ["passage"] = "abc" }));
        File.WriteAllText(file, "oops\n[user]\nx");
        var ex = Assert.Throws<DatasetFormatException>(() => PromptTemplate.Load(file));
        Assert.Contains(file + ":1:", ex.Message);
    }
}
