using System.Xml.Linq;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Training.Tests.Evaluation;

public class PlotTests
{
    private static readonly XNamespace S = "http://www.w3.org/2000/svg";

    internal static string ScatterSvg(out int points, out int classes)
    {
        var (x, labels) = ProjectionTests.Blobs(3, 30, seed: 8);
        var y = Tsne.Fit(x, new TsneOptions { Perplexity = 10, Iterations = 300, Seed = 1 });
        string[] names = { "finance & <tax>", "sports \"quoted\"", "größe 'ü' 中文" };
        points = y.Length; classes = names.Length;
        return ScatterPlot.ToSvg(y, labels.Select(l => names[l]).ToArray(), new ScatterPlotOptions { Title = "t-SNE <demo>" },
            tooltips: Enumerable.Range(0, y.Length).Select(i => $"text #{i} & more").ToArray());
    }

    internal static string CurveSvg()
    {
        static string F(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var lines = new List<string>();
        for (int step = 10; step <= 300; step += 10)
        {
            double lr = step <= 30 ? 2e-5 * step / 30 : 2e-5 * (300 - step) / 270;
            lines.Add("{\"step\": " + step + ", \"epoch\": " + F(step / 100.0) + ", \"loss\": " + F(2.0 * Math.Exp(-step / 120.0) + 0.3)
                + ", \"learning_rate\": " + F(lr) + ", \"examples_per_second\": 120.5}");
            if (step % 100 == 0)
                lines.Add("{\"step\": " + step + ", \"eval\": {\"ndcg@10\": " + F(0.3 + step / 1000.0) + ", \"mrr@10\": " + F(0.25 + step / 1200.0) + "}}");
        }
        return TrainingCurvePlot.ToSvg(TrainingLog.Parse(lines), title: "run & curves");
    }

    [Fact]
    public void ScatterIsWellFormedWithOnePointPerInputAndEscapedLegend()
    {
        var svg = ScatterSvg(out int n, out int classes);
        var doc = XDocument.Parse(svg);
        Assert.Equal(S + "svg", doc.Root!.Name);
        Assert.NotNull(doc.Root.Attribute("viewBox"));
        var points = doc.Descendants(S + "circle").Where(c => (string?)c.Attribute("class") == "point").ToList();
        Assert.Equal(n, points.Count);
        Assert.Equal(classes, points.Select(p => (string)p.Attribute("fill")!).Distinct().Count());
        var legend = doc.Descendants(S + "g").Single(g => (string?)g.Attribute("class") == "legend");
        var texts = legend.Descendants(S + "text").Select(t => t.Value).ToList();
        Assert.Contains("finance & <tax> (30)", texts);
        Assert.Contains("sports \"quoted\" (30)", texts);
        Assert.Contains("größe 'ü' 中文 (30)", texts);
        Assert.Equal("t-SNE <demo>", doc.Root.Elements(S + "text").First().Value);
        Assert.All(points, p => Assert.Contains("& more", p.Element(S + "title")!.Value));
        // All points inside the viewBox.
        Assert.All(points, p =>
        {
            Assert.InRange(double.Parse((string)p.Attribute("cx")!, System.Globalization.CultureInfo.InvariantCulture), 0, 900);
            Assert.InRange(double.Parse((string)p.Attribute("cy")!, System.Globalization.CultureInfo.InvariantCulture), 0, 640);
        });
    }

    [Fact]
    public void ScatterColoursStayDistinctBeyondTheBasePalette()
    {
        int k = 25;
        var pts = Enumerable.Range(0, k).Select(i => new double[] { i, i * i }).ToArray();
        var svg = ScatterPlot.ToSvg(pts, Enumerable.Range(0, k).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            new ScatterPlotOptions { MaxLegendEntries = 10 });
        var doc = XDocument.Parse(svg);
        var fills = doc.Descendants(S + "circle").Where(c => (string?)c.Attribute("class") == "point").Select(c => (string)c.Attribute("fill")!).ToList();
        Assert.Equal(k, fills.Distinct().Count());
        Assert.Contains(doc.Descendants(S + "text"), t => t.Value == "… and 15 more");
        // Numeric labels are ordered numerically in the legend: 0, 1, 2, …, 9 (not 0, 1, 10, 11, …).
        var legendTexts = doc.Descendants(S + "g").Single(g => (string?)g.Attribute("class") == "legend").Elements(S + "text").Select(t => t.Value).ToList();
        Assert.Equal("9 (1)", legendTexts[9]);
    }

    [Fact]
    public void ScatterRejectsMismatchedLabels()
    {
        Assert.Throws<ArgumentException>(() => ScatterPlot.ToSvg(new[] { new double[] { 0, 0 } }, Array.Empty<string>()));
        Assert.Throws<ArgumentException>(() => ScatterPlot.ToSvg(new[] { new double[] { double.NaN, 0 } }, new[] { "a" }));
    }

    [Fact]
    public void TrainingLogSplitsTrainAndEvalSeries()
    {
        var log = TrainingLog.Parse(new[]
        {
            """{"step": 10, "epoch": 0.5, "loss": 0.73, "learning_rate": 1.9e-5, "examples_per_second": 120.5}""",
            "",
            """{"step": 20, "loss": 0.61, "learning_rate": 1.8e-5}""",
            """{"step": 20, "eval": {"ndcg@10": 0.41, "ir": {"mrr@10": 0.3}}}""",
            """{"step": 30, "loss": 0.5""",   // cut off while writing: ignored
        });
        Assert.Equal(new[] { (10.0, 0.73), (20.0, 0.61) }, log.Train["loss"]);
        Assert.Equal(2, log.Train["learning_rate"].Count);
        Assert.Equal(new[] { (20.0, 0.41) }, log.Eval["ndcg@10"]);
        Assert.Equal(new[] { (20.0, 0.3) }, log.Eval["ir/mrr@10"]);
        var bad = Assert.Throws<DatasetFormatException>(() => TrainingLog.Parse(new[] { "{\"step\": 1, \"loss\": 1}", "not json", "{\"step\": 2, \"loss\": 1}" }, "log.jsonl"));
        Assert.Equal(2, bad.Line);
        Assert.Throws<DatasetFormatException>(() => TrainingLog.Parse(new[] { "{\"loss\": 1}", "{\"step\": 2}" }));
    }

    [Fact]
    public void CurvesHaveOnePanelPerSeriesAndAPointPerLogLine()
    {
        var doc = XDocument.Parse(CurveSvg());
        var panels = doc.Descendants(S + "g").Where(g => (string?)g.Attribute("class") == "panel").ToList();
        Assert.Equal(4, panels.Count); // loss, learning rate, ndcg@10, mrr@10
        var titles = panels.Select(p => p.Elements(S + "text").First().Value).ToList();
        Assert.Equal(new[] { "loss", "learning rate", "eval: ndcg@10", "eval: mrr@10" }, titles);
        var lossPath = (string)panels[0].Descendants(S + "path").Single().Attribute("d")!;
        Assert.Equal(30, lossPath.Split(new[] { 'M', 'L' }, StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(3, panels[2].Descendants(S + "circle").Count());
        // The loss falls, so its path goes down the screen: the last y is larger than the first.
        var coords = lossPath.Split(new[] { 'M', 'L' }, StringSplitOptions.RemoveEmptyEntries)
            .Select(s => double.Parse(s.Trim().Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(coords[^1] > coords[0]);
        Assert.Equal("run & curves", doc.Root!.Elements(S + "text").First().Value);
    }

    [Fact]
    public void ReportTableAndJson()
    {
        var baseline = new Dictionary<string, double> { ["ndcg@10"] = 0.40, ["mrr@10"] = 0.35, ["old"] = 1 };
        var model = new Dictionary<string, double> { ["ndcg@10"] = 0.52, ["mrr@10"] = 0.30 };
        var report = new ComparisonReport(baseline, model, "ndcg@10");
        var md = report.ToMarkdown().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("| metric | baseline | model | Δ |", md[0]);
        Assert.Equal("| **ndcg@10** | 0.4000 | 0.5200 | +0.1200 |", md[2]);
        Assert.Equal("| mrr@10 | 0.3500 | 0.3000 | -0.0500 |", md[3]);
        Assert.Equal("| old | 1.0000 |  |  |", md[4]);
        Assert.Equal(0.12, report.Delta()["ndcg@10"], 12);
        using var json = System.Text.Json.JsonDocument.Parse(report.ToJson());
        Assert.Equal(new[] { "baseline", "model" }, json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0.52, json.RootElement.GetProperty("model").GetProperty("ndcg@10").GetDouble());
        var flat = MetricsJson.Parse(MetricsJson.Serialize(new Dictionary<string, double> { ["spearman"] = double.NaN, ["pearson"] = 0.5 }));
        Assert.True(double.IsNaN(flat["spearman"]));
        Assert.Equal(0.5, flat["pearson"]);
    }
}
