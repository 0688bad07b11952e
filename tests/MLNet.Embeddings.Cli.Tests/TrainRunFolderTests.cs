using System.Text.Json;

namespace MLNet.Embeddings.Cli.Tests;

/// <summary>
/// train's output folder: a finished run resumed says so and exits 0 (no NaN in the JSON), a fresh run refuses a
/// non-empty folder unless --resume or --overwrite, and the stderr lines carry the logged loss, each evaluation and the
/// best step.
/// </summary>
[Collection("Console")]
public class TrainRunFolderTests
{
    static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    static readonly string Model = Path.Combine(Root(), "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
    static readonly string Train = Path.Combine(Root(), "tests", "MLNet.Embeddings.Training.Tests", "Fixtures", "training", "bert-mnrl", "train.jsonl");

    static string NewDir() => Path.Combine(Path.GetTempPath(), "mlnet-train-folder", Guid.NewGuid().ToString("N"));

    static (int Code, string Out, string Err) TrainInto(string output, params string[] extra) =>
        ConsoleRun.Cli([.. new[] { "train", "--model", Model, "--train", Train, "--output", output, "--batch-size", "4", "--no-shuffle" }, .. extra]);

    static void AssertNoNaN(string json)
    {
        Assert.DoesNotContain("NaN", json);
        Assert.DoesNotContain("Infinity", json);
        using var _ = JsonDocument.Parse(json); // valid JSON
    }

    [Fact]
    public void ResumingAFinishedRunSaysSoAndExitsZero()
    {
        string output = NewDir();
        var first = TrainInto(output, "--max-steps", "2", "--checkpoint-steps", "2");
        Assert.True(first.Code == 0, first.Err);
        string log = File.ReadAllText(Path.Combine(output, "metrics.jsonl"));

        foreach (var maxSteps in new[] { "2", "1" }) // the same plan, and a plan below the checkpoint's step
        {
            var again = TrainInto(output, "--max-steps", maxSteps, "--checkpoint-steps", "2", "--resume");
            Assert.True(again.Code == 0, again.Err);
            Assert.Contains("nothing to train", again.Err);
            Assert.Contains("checkpoint-2", again.Err);
            AssertNoNaN(again.Out.Trim());
            using var doc = JsonDocument.Parse(again.Out.Trim());
            Assert.Equal(2, doc.RootElement.GetProperty("steps").GetInt32());
            Assert.Equal(0, doc.RootElement.GetProperty("steps_run").GetInt32());
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("final_loss").ValueKind);
            Assert.Equal(log, File.ReadAllText(Path.Combine(output, "metrics.jsonl"))); // nothing appended
        }
    }

    [Fact]
    public void AFreshRunRefusesANonEmptyOutputFolder()
    {
        string output = NewDir();
        Assert.Equal(0, TrainInto(output, "--max-steps", "2", "--checkpoint-steps", "1").Code);
        string log = File.ReadAllText(Path.Combine(output, "metrics.jsonl"));

        var refused = TrainInto(output, "--max-steps", "2");
        Assert.Equal(1, refused.Code);
        Assert.StartsWith("error: --output: ", refused.Err);
        Assert.Contains("not empty", refused.Err);
        Assert.Contains("--resume", refused.Err);
        Assert.Contains("--overwrite", refused.Err);
        Assert.Equal(log, File.ReadAllText(Path.Combine(output, "metrics.jsonl")));

        var both = TrainInto(output, "--max-steps", "2", "--resume", "--overwrite");
        Assert.Equal(1, both.Code);
        Assert.StartsWith("error: --overwrite: ", both.Err);

        // --overwrite starts over: the old log and checkpoints go, the new log has each step once.
        var over = TrainInto(output, "--max-steps", "1", "--overwrite");
        Assert.True(over.Code == 0, over.Err);
        Assert.False(Directory.Exists(Path.Combine(output, "checkpoint-1")));
        Assert.False(Directory.Exists(Path.Combine(output, "checkpoint-2")));
        var steps = File.ReadAllLines(Path.Combine(output, "metrics.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt32()).ToList();
        Assert.Equal(new[] { 1 }, steps);
    }

    [Fact]
    public void ResumeWithoutACheckpointInANonEmptyFolderIsRefused()
    {
        string output = NewDir();
        Assert.Equal(0, TrainInto(output, "--max-steps", "1").Code); // no --checkpoint-steps: nothing to resume from
        var r = TrainInto(output, "--max-steps", "2", "--resume");
        Assert.Equal(1, r.Code);
        Assert.StartsWith("error: --resume: ", r.Err);
        Assert.Contains("no checkpoint-N", r.Err);
        // an empty or missing folder with --resume simply starts fresh
        Assert.Equal(0, TrainInto(NewDir(), "--max-steps", "1", "--resume").Code);
    }

    [Fact]
    public void LinesShowTheLoggedLossEachEvaluationAndTheBestStep()
    {
        string output = NewDir();
        var r = TrainInto(output, "--max-steps", "4", "--eval", Train, "--eval-steps", "2");
        Assert.True(r.Code == 0, r.Err);
        var lines = File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        // the printed loss is the logged one (4 decimals)
        var logged = lines.Where(l => l.TryGetProperty("loss", out _)).ToList();
        Assert.NotEmpty(logged);
        foreach (var l in logged)
        {
            string expected = $"step {l.GetProperty("step").GetInt32()}/4 ";
            string printed = r.Err.Split('\n').Single(x => x.StartsWith(expected, StringComparison.Ordinal));
            Assert.Contains($"loss {l.GetProperty("loss").GetDouble():F4}", printed);
        }

        // one line per evaluation, with the logged primary metric
        var evals = lines.Where(l => l.TryGetProperty("eval", out _)).ToList();
        Assert.Equal(2, evals.Count);
        var evalLines = r.Err.Split('\n').Where(x => x.StartsWith("eval step ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, evalLines.Count);
        double best = double.MinValue; int bestStep = 0;
        foreach (var (e, printed) in evals.Zip(evalLines))
        {
            int step = e.GetProperty("step").GetInt32();
            double ndcg = e.GetProperty("eval").GetProperty("ndcg@10").GetDouble();
            Assert.StartsWith($"eval step {step}: ndcg@10 {ndcg:F4}", printed);
            if (ndcg > best) { best = ndcg; bestStep = step; }
        }
        Assert.Contains($"train: best ndcg@10 {best:F4} at step {bestStep}", r.Err);
        using var summary = JsonDocument.Parse(r.Out.Trim());
        Assert.Equal(bestStep, summary.RootElement.GetProperty("best_step").GetInt32());
        Assert.Equal(logged[^1].GetProperty("loss").GetDouble(), summary.RootElement.GetProperty("final_loss").GetDouble(), 12);
    }
}
