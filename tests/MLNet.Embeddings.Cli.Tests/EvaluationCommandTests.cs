using System.Text.Json;
using System.Xml.Linq;

namespace MLNet.Embeddings.Cli.Tests;

[Collection("Console")]
public class EvaluationCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-eval-cli-" + Guid.NewGuid().ToString("N"));

    public EvaluationCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>Runs the CLI with stdout and stderr captured.</summary>
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o); Console.SetError(e);
        try { return (CliApp.Run(args), o.ToString(), e.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }

    [Fact]
    public void PlotCurvesWritesSvgAndReportsSeries()
    {
        var log = Path.Combine(_dir, "metrics.jsonl");
        File.WriteAllLines(log, new[]
        {
            """{"step": 10, "epoch": 0.5, "loss": 0.73, "learning_rate": 1.9e-5, "examples_per_second": 120.5}""",
            """{"step": 20, "epoch": 1.0, "loss": 0.52, "learning_rate": 1.7e-5, "examples_per_second": 121.0}""",
            """{"step": 20, "eval": {"ndcg@10": 0.41, "mrr@10": 0.37}}""",
        });
        var svg = Path.Combine(_dir, "out", "curves.svg");
        var (code, stdout, stderr) = Run("plot-curves", "--log", log, "--output", svg);
        Assert.True(code == 0, stderr);
        var doc = XDocument.Parse(File.ReadAllText(svg));
        XNamespace s = "http://www.w3.org/2000/svg";
        Assert.Equal(4, doc.Descendants(s + "g").Count(g => (string?)g.Attribute("class") == "panel"));
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(new[] { "ndcg@10", "mrr@10" }, json.RootElement.GetProperty("eval_series").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "out"), "*.tmp")); // atomic write leaves no temp file
    }

    [Fact]
    public void PlotCurvesFailsOnMissingLog()
    {
        var (code, _, stderr) = Run("plot-curves", "--log", Path.Combine(_dir, "nope.jsonl"), "--output", Path.Combine(_dir, "x.svg"));
        Assert.NotEqual(0, code);
        Assert.Contains("--log", stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "x.svg")));
    }

    [Fact]
    public void EvalRejectsBadCutoffsAndMissingFiles()
    {
        var data = Path.Combine(_dir, "test.jsonl");
        File.WriteAllText(data, """{"query": "q", "pos": ["p"]}""" + "\n");
        var (code, _, stderr) = Run("eval", "--model", _dir, "--data", data, "--k", "1,x");
        Assert.NotEqual(0, code);
        Assert.Contains("--k", stderr);
        (code, _, stderr) = Run("eval", "--model", _dir, "--data", Path.Combine(_dir, "missing.jsonl"));
        Assert.NotEqual(0, code);
        Assert.Contains("--data", stderr);
        (code, _, _) = Run("eval", "--data", data);
        Assert.NotEqual(0, code); // --model is required
    }

    [Fact]
    public void PlotRejectsUnknownMethod()
    {
        var (code, _, _) = Run("plot", "--model", _dir, "--input", "x.jsonl", "--label-column", "c", "--method", "pca", "--output", "x.svg");
        Assert.NotEqual(0, code);
    }

    [Fact]
    public void CutoffsParse()
    {
        Assert.Equal(new[] { 1, 3, 5, 10 }, Commands.EvalCommand.ParseKs("1, 3,5,10"));
    }
}
