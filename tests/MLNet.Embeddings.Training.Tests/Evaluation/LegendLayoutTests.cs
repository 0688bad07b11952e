using System.Globalization;
using System.Xml.Linq;
using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Training.Tests.Evaluation;

/// <summary>The scatter legend lists every label, inside the drawing, also beyond 30 labels (smaller rows, then columns).</summary>
public class LegendLayoutTests
{
    static readonly XNamespace S = "http://www.w3.org/2000/svg";

    [Theory]
    [InlineData(5)]
    [InlineData(31)]
    [InlineData(45)]
    [InlineData(69)]   // the tickers of financial-qa-10K
    [InlineData(100)]
    public void EveryLabelIsInTheLegendAndInsideTheDrawing(int k)
    {
        var o = new ScatterPlotOptions();
        var labels = Enumerable.Range(0, k).Select(i => $"TICK{i:D3}").ToArray();
        var pts = Enumerable.Range(0, k).Select(i => new double[] { i, Math.Sin(i) }).ToArray();
        var doc = XDocument.Parse(ScatterPlot.ToSvg(pts, labels, o));
        var legend = doc.Descendants(S + "g").Single(g => (string?)g.Attribute("class") == "legend");
        var texts = legend.Elements(S + "text").ToList();
        Assert.Equal(labels.Select(l => $"{l} (1)"), texts.Select(t => t.Value));
        double fontSize = double.Parse((string)legend.Attribute("font-size")!, CultureInfo.InvariantCulture);
        Assert.InRange(fontSize, 7.5, 13);
        var boxes = new HashSet<(double, double)>();
        foreach (var t in texts)
        {
            double x = double.Parse((string)t.Attribute("x")!, CultureInfo.InvariantCulture), y = double.Parse((string)t.Attribute("y")!, CultureInfo.InvariantCulture);
            Assert.InRange(y, fontSize, o.Height - 4);
            Assert.InRange(x, 0, o.Width - 60);                      // room for the label's text
            Assert.True(boxes.Add((Math.Round(x), Math.Round(y))), $"two legend entries at ({x}, {y})");
        }
        // every point is still drawn inside the plot area, left of the legend
        double legendLeft = texts.Min(t => double.Parse((string)t.Attribute("x")!, CultureInfo.InvariantCulture));
        foreach (var c in doc.Descendants(S + "circle").Where(c => (string?)c.Attribute("class") == "point"))
            Assert.InRange(double.Parse((string)c.Attribute("cx")!, CultureInfo.InvariantCulture), 0, legendLeft);
    }

    [Fact]
    public void BeyondTheMaximumTheRestIsOneLine()
    {
        var labels = Enumerable.Range(0, 130).Select(i => $"L{i:D3}").ToArray();
        var pts = Enumerable.Range(0, 130).Select(i => new double[] { i, i % 7 }).ToArray();
        var doc = XDocument.Parse(ScatterPlot.ToSvg(pts, labels));
        var texts = doc.Descendants(S + "g").Single(g => (string?)g.Attribute("class") == "legend").Elements(S + "text").Select(t => t.Value).ToList();
        Assert.Equal(101, texts.Count);
        Assert.Equal("… and 30 more", texts[^1]);
    }
}
