using MLNet.Embeddings.TestSupport;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Cli.Tests;

[Collection("Console")]
public class TrainCommandEndToEndTests
{
    static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    [Fact]
    public void TrainWritesAModelFolderMatchingPyTorch()
    {
        string root = Root();
        string model = Path.Combine(root, "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
        string fixture = Path.Combine(root, "tests", "MLNet.Embeddings.Training.Tests", "Fixtures", "training", "bert-mnrl");
        string output = Path.Combine(Path.GetTempPath(), "mlnet-train-cli", Guid.NewGuid().ToString("N"));
        var stdout = new StringWriter(); var stderr = new StringWriter();
        var (o, e) = (Console.Out, Console.Error);
        Console.SetOut(stdout); Console.SetError(stderr);
        int rc;
        try
        {
            rc = CliApp.Run(new[] { "train", "--model", model, "--train", Path.Combine(fixture, "train.jsonl"), "--output", output,
                "--loss", "mnrl", "--max-steps", "3", "--batch-size", "4", "--lr", "1e-3", "--no-shuffle", "--dropout", "0",
                "--weight-decay", "0", "--warmup-ratio", "0" });
        }
        finally { Console.SetOut(o); Console.SetError(e); }
        Assert.True(rc == 0, stderr.ToString());
        Assert.Contains("\"steps\":3", stdout.ToString());
        Assert.True(File.Exists(Path.Combine(output, "metrics.jsonl")));
        var tuned = SentenceEncoder.Load(output);
        // Every weight within 1e-4 of torch, except the key bias (zero true gradient) and the <0.1 % of elements where
        // Adam's step is ill-conditioned (|g| of the order of eps): see AdamParity (linked from the Training tests).
        AdamParity.AssertMatches(fixture, ((Backbones.ITrainableBackbone)tuned.Backbone).Parameters, 1e-3f, 3);
    }

    [Fact]
    public void EvalFileAddsEvaluationLinesToTheMetricsLog()
    {
        string root = Root();
        string model = Path.Combine(root, "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
        string train = Path.Combine(root, "tests", "MLNet.Embeddings.Training.Tests", "Fixtures", "training", "bert-mnrl", "train.jsonl");
        string output = Path.Combine(Path.GetTempPath(), "mlnet-train-cli", Guid.NewGuid().ToString("N"));
        var stdout = new StringWriter(); var stderr = new StringWriter();
        var (o, e) = (Console.Out, Console.Error);
        Console.SetOut(stdout); Console.SetError(stderr);
        int rc;
        try
        {
            rc = CliApp.Run(new[] { "train", "--model", model, "--train", train, "--output", output, "--max-steps", "2",
                "--batch-size", "4", "--eval", train, "--eval-steps", "1", "--checkpoint-steps", "1" });
        }
        finally { Console.SetOut(o); Console.SetError(e); }
        Assert.True(rc == 0, stderr.ToString());
        var evals = File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Where(l => l.Contains("\"eval\"")).ToList();
        Assert.Equal(2, evals.Count);
        using var doc = System.Text.Json.JsonDocument.Parse(evals[0]);
        Assert.Equal(1, doc.RootElement.GetProperty("step").GetInt32());
        Assert.True(doc.RootElement.GetProperty("eval").EnumerateObject().Any());
        Assert.True(Directory.Exists(Path.Combine(output, "checkpoint-2")));
    }

    [Fact]
    public void ATrainingFileLackingTheLossColumnsFailsWithItsLine()
    {
        string root = Root();
        string model = Path.Combine(root, "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-train-cli", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, "pairs.jsonl");
        File.WriteAllLines(file, new[] { "{\"query\": \"a b\", \"pos\": [\"c d\"]}", "{\"query\": \"e f\", \"pos\": [\"g h\"]}" });
        var stderr = new StringWriter(); var e = Console.Error;
        Console.SetError(stderr);
        int rc;
        try { rc = CliApp.Run(new[] { "train", "--model", model, "--train", file, "--output", Path.Combine(dir, "out"), "--loss", "triplet" }); }
        finally { Console.SetError(e); }
        Assert.NotEqual(0, rc);
        Assert.Contains("pairs.jsonl:1", stderr.ToString());
        Assert.Contains("neg", stderr.ToString());
    }

    [Fact]
    public void NegativesOptionFillsRowsWithTooFewNegatives()
    {
        string root = Root();
        string model = Path.Combine(root, "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-train-cli", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, "mined.jsonl");
        File.WriteAllLines(file, new[]
        {
            "{\"query\": \"left center play\", \"pos\": [\"his your series air\"], \"neg\": [\"king father she\"]}",
            "{\"query\": \"woman knew due world\", \"pos\": [\"between end white point\"], \"neg\": []}",
            "{\"query\": \"late was major\", \"pos\": [\"king father she within death\"], \"neg\": [\"his your series\"]}",
        });
        var stdout = new StringWriter(); var stderr = new StringWriter();
        var (o, e) = (Console.Out, Console.Error);
        Console.SetOut(stdout); Console.SetError(stderr);
        int rc;
        try
        {
            rc = CliApp.Run(new[] { "train", "--model", model, "--train", file, "--output", Path.Combine(dir, "out"),
                "--loss", "mnrl", "--negatives", "1", "--max-steps", "1", "--batch-size", "4" });
        }
        finally { Console.SetOut(o); Console.SetError(e); }
        Assert.True(rc == 0, stderr.ToString());
        // FlagEmbedding's groups: the row without negatives borrows one from the other rows instead of being dropped
        Assert.Contains("hard negatives: 1 per row (as set by", stderr.ToString());
        Assert.Contains("1 row(s) filled: 0 by sampling their own negatives, 1 without any from other rows' negatives", stderr.ToString());
        Assert.Contains("\"steps\":1", stdout.ToString());
    }
}
