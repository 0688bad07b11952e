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
    internal static (int Code, string Out, string Err) Run(params string[] args) => ConsoleRun.Cli(args);

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

    /// <summary>A word-vector file (GloVe text format) the CLI loads as a mean-pooled static model.</summary>
    private string WordVectors(string name, params (string Word, double[] Vector)[] words)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, words.Select(w => w.Word + " " + string.Join(" ", w.Vector.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
        return path;
    }

    private string RetrievalData()
    {
        var data = Path.Combine(_dir, "test.jsonl");
        File.WriteAllLines(data, new[]
        {
            """{"query": "apple", "pos": ["fruit"]}""",
            """{"query": "car", "pos": ["vehicle"]}""",
            """{"query": "rain", "pos": ["weather"]}""",
        });
        return data;
    }

    [Fact]
    public void EvalPrintsMetricsObjectKeyedByMetricName()
    {
        var model = WordVectors("good.txt",
            ("apple", new[] { 1.0, 0, 0 }), ("fruit", new[] { 0.9, 0.1, 0 }),
            ("car", new[] { 0, 1.0, 0 }), ("vehicle", new[] { 0.1, 0.9, 0 }),
            ("rain", new[] { 0, 0, 1.0 }), ("weather", new[] { 0, 0.1, 0.9 }));
        var (code, stdout, stderr) = Run("eval", "--model", model, "--data", RetrievalData(), "--k", "1,3");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var expectedKeys = new[] { "recall", "precision", "mrr", "ndcg", "map" }.SelectMany(m => new[] { $"{m}@1", $"{m}@3" });
        Assert.Equal(expectedKeys, json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1.0, json.RootElement.GetProperty("recall@1").GetDouble());
        Assert.Equal(1.0 / 3, json.RootElement.GetProperty("precision@3").GetDouble(), 12);
    }

    [Fact]
    public void EvalWithBaselineWritesJsonAndMarkdown()
    {
        var model = WordVectors("good.txt",
            ("apple", new[] { 1.0, 0, 0 }), ("fruit", new[] { 0.9, 0.1, 0 }),
            ("car", new[] { 0, 1.0, 0 }), ("vehicle", new[] { 0.1, 0.9, 0 }),
            ("rain", new[] { 0, 0, 1.0 }), ("weather", new[] { 0, 0.1, 0.9 }));
        // The baseline puts each query next to another query's answer: recall@1 = 0.
        var baseline = WordVectors("bad.txt",
            ("apple", new[] { 1.0, 0, 0 }), ("vehicle", new[] { 0.9, 0.1, 0 }),
            ("car", new[] { 0, 1.0, 0 }), ("weather", new[] { 0.1, 0.9, 0 }),
            ("rain", new[] { 0, 0, 1.0 }), ("fruit", new[] { 0, 0.1, 0.9 }));
        var output = Path.Combine(_dir, "report", "eval.json");
        var (code, stdout, stderr) = Run("eval", "--model", model, "--baseline", baseline, "--data", RetrievalData(), "--output", output);
        Assert.True(code == 0, stderr);
        Assert.Equal("", stdout.Trim());
        using var json = JsonDocument.Parse(File.ReadAllText(output));
        Assert.Equal(new[] { "baseline", "model" }, json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0.0, json.RootElement.GetProperty("baseline").GetProperty("recall@1").GetDouble());
        Assert.Equal(1.0, json.RootElement.GetProperty("model").GetProperty("recall@1").GetDouble());
        Assert.Equal(20, json.RootElement.GetProperty("model").EnumerateObject().Count());
        var md = File.ReadAllLines(Path.Combine(_dir, "report", "eval.md"));
        Assert.Equal("| metric | baseline | model | Δ |", md[0]);
        Assert.Contains("| recall@1 | 0.0000 | 1.0000 | +1.0000 |", md);
    }

    [Theory]
    [InlineData("tsne")]
    [InlineData("umap")]
    public void PlotWritesOnePointPerRow(string method)
    {
        var words = new List<(string, double[])>();
        var rows = new List<string>();
        var rng = new Random(5);
        string[] topics = { "tax", "sport", "food" };
        for (int t = 0; t < 3; t++)
            for (int i = 0; i < 12; i++)
            {
                var v = new double[8];
                v[t] = 5;
                for (int d = 0; d < 8; d++) v[d] += rng.NextDouble() * 0.5;
                string word = $"{topics[t]}{i}";
                words.Add((word, v));
                rows.Add($$"""{"text": "{{word}}", "topic": "{{topics[t]}}"}""");
            }
        var model = WordVectors("topics.txt", words.ToArray());
        var input = Path.Combine(_dir, "rows.jsonl");
        File.WriteAllLines(input, rows);
        var svg = Path.Combine(_dir, $"{method}.svg");
        var (code, stdout, stderr) = Run("plot", "--model", model, "--input", input, "--label-column", "topic", "--method", method, "--output", svg, "--perplexity", "5");
        Assert.True(code == 0, stderr);
        var doc = XDocument.Parse(File.ReadAllText(svg));
        XNamespace s = "http://www.w3.org/2000/svg";
        Assert.Equal(36, doc.Descendants(s + "circle").Count(c => (string?)c.Attribute("class") == "point"));
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(3, json.RootElement.GetProperty("labels").GetInt32());
        Assert.Equal(method, json.RootElement.GetProperty("method").GetString());
    }

    [Fact]
    public void CutoffsParse()
    {
        Assert.Equal(new[] { 1, 3, 5, 10 }, Commands.EvalCommand.ParseKs("1, 3,5,10"));
    }
}
