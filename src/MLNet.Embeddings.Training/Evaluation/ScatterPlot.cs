using System.Globalization;
using System.Text;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// An SVG scatter plot of 2-D points (e.g. a <see cref="Tsne"/> or <see cref="Umap"/> projection) coloured by a label,
/// with a legend (label and count). Axis-free with equal scaling on both axes; every point is a
/// <c>&lt;circle class="point"&gt;</c>, with an optional tooltip (<c>&lt;title&gt;</c>).
/// </summary>
public static class ScatterPlot
{
    /// <summary>Renders the plot as a standalone SVG document.</summary>
    /// <param name="points">n points, each [x, y].</param>
    /// <param name="labels">n labels (colour groups).</param>
    /// <param name="options">Size and look; null for defaults.</param>
    /// <param name="tooltips">n hover texts (e.g. the sentences), or null.</param>
    public static string ToSvg(IReadOnlyList<double[]> points, IReadOnlyList<string> labels, ScatterPlotOptions? options = null, IReadOnlyList<string>? tooltips = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != points.Count) throw new ArgumentException($"Expected one label per point ({points.Count}), found {labels.Count}.", nameof(labels));
        if (tooltips is not null && tooltips.Count != points.Count) throw new ArgumentException($"Expected one tooltip per point ({points.Count}), found {tooltips.Count}.", nameof(tooltips));
        for (int i = 0; i < points.Count; i++)
            if (points[i] is null || points[i].Length < 2 || !double.IsFinite(points[i][0]) || !double.IsFinite(points[i][1]))
                throw new ArgumentException($"Point {i} must hold two finite coordinates.", nameof(points));
        var o = options ?? new ScatterPlotOptions();

        var groups = OrderLabels(labels);
        var colorOf = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < groups.Count; i++) colorOf[groups[i].Label] = Svg.Color(i);

        const double margin = 20;
        double top = o.Title is null ? margin : 50;
        // Legend: one column of 20 px rows while the labels fit the height, then rows down to 12 px, then more columns.
        int shown = Math.Min(groups.Count, Math.Max(0, o.MaxLegendEntries));
        int entries = shown + (shown < groups.Count ? 1 : 0); // the "… and N more" line
        double available = Math.Max(20, o.Height - top - margin - 10);
        double rowH = Math.Clamp(Math.Floor(available / Math.Max(1, entries)), 12, 20);
        int perColumn = Math.Max(1, (int)Math.Floor(available / rowH));
        int columns = Math.Max(1, (entries + perColumn - 1) / perColumn);
        double columnWidth = columns == 1 ? 220 : 150;
        int labelChars = columns == 1 ? 24 : 16;
        double legendWidth = columns * columnWidth;
        double fontSize = Math.Round(rowH * 0.65, 1);
        double plotW = Math.Max(10, o.Width - legendWidth - 2 * margin), plotH = Math.Max(10, o.Height - top - margin);
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
        foreach (var p in points)
        {
            minX = Math.Min(minX, p[0]); maxX = Math.Max(maxX, p[0]);
            minY = Math.Min(minY, p[1]); maxY = Math.Max(maxY, p[1]);
        }
        double spanX = Math.Max(maxX - minX, 1e-12), spanY = Math.Max(maxY - minY, 1e-12);
        double pad = o.PointRadius + 2;
        double scale = Math.Min((plotW - 2 * pad) / spanX, (plotH - 2 * pad) / spanY);
        double offX = margin + (plotW - spanX * scale) / 2, offY = top + (plotH - spanY * scale) / 2;

        var sb = new StringBuilder();
        string W = o.Width.ToString(CultureInfo.InvariantCulture), H = o.Height.ToString(CultureInfo.InvariantCulture);
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\">\n");
        sb.Append($"<rect x=\"0\" y=\"0\" width=\"{W}\" height=\"{H}\" fill=\"#ffffff\"/>\n");
        if (o.Title is not null)
            sb.Append($"<text x=\"{Svg.N(o.Width / 2.0)}\" y=\"30\" text-anchor=\"middle\" font-size=\"18\">{Svg.Escape(o.Title)}</text>\n");
        sb.Append($"<rect x=\"{Svg.N(margin)}\" y=\"{Svg.N(top)}\" width=\"{Svg.N(plotW)}\" height=\"{Svg.N(plotH)}\" fill=\"none\" stroke=\"#dddddd\"/>\n");
        sb.Append($"<g class=\"points\" fill-opacity=\"{Svg.N(o.Opacity)}\" stroke=\"#ffffff\" stroke-width=\"0.5\">\n");
        for (int i = 0; i < points.Count; i++)
        {
            double x = offX + (points[i][0] - minX) * scale;
            double y = offY + (maxY - points[i][1]) * scale; // y grows upwards
            sb.Append($"<circle class=\"point\" cx=\"{Svg.N(x)}\" cy=\"{Svg.N(y)}\" r=\"{Svg.N(o.PointRadius)}\" fill=\"{colorOf[labels[i] ?? ""]}\"");
            if (tooltips is null) sb.Append("/>\n");
            else sb.Append($"><title>{Svg.Escape(labels[i] ?? "")}: {Svg.Escape(tooltips[i] ?? "")}</title></circle>\n");
        }
        sb.Append("</g>\n");

        double lx = o.Width - legendWidth + 10, ly = top + 10;
        double dot = Math.Min(6, rowH * 0.3);
        sb.Append($"<g class=\"legend\" font-size=\"{Svg.N(fontSize)}\">\n");
        for (int i = 0; i < entries; i++)
        {
            double x = lx + (i / perColumn) * columnWidth, y = ly + (i % perColumn) * rowH;
            if (i == shown)
            {
                sb.Append($"<text x=\"{Svg.N(x)}\" y=\"{Svg.N(y + fontSize / 3)}\" fill=\"#555555\">… and {(groups.Count - shown).ToString(CultureInfo.InvariantCulture)} more</text>\n");
                break;
            }
            sb.Append($"<circle cx=\"{Svg.N(x + dot)}\" cy=\"{Svg.N(y)}\" r=\"{Svg.N(dot)}\" fill=\"{colorOf[groups[i].Label]}\"/>");
            sb.Append($"<text x=\"{Svg.N(x + 2 * dot + 6)}\" y=\"{Svg.N(y + fontSize / 3)}\">{Svg.Escape(Shorten(groups[i].Label, labelChars))} ({groups[i].Count.ToString(CultureInfo.InvariantCulture)})</text>\n");
        }
        sb.Append("</g>\n</svg>\n");
        return sb.ToString();
    }

    /// <summary>Distinct labels with counts: numerically sorted when all are numbers, else ordinal.</summary>
    private static List<(string Label, int Count)> OrderLabels(IReadOnlyList<string> labels)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var l in labels) counts[l ?? ""] = counts.GetValueOrDefault(l ?? "") + 1;
        bool numeric = counts.Keys.All(k => double.TryParse(k, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        var ordered = numeric
            ? counts.OrderBy(p => double.Parse(p.Key, NumberStyles.Float, CultureInfo.InvariantCulture)).ThenBy(p => p.Key, StringComparer.Ordinal)
            : counts.OrderBy(p => p.Key, StringComparer.Ordinal);
        return ordered.Select(p => (p.Key, p.Value)).ToList();
    }

    private static string Shorten(string label, int max)
    {
        if (label.Length <= max) return label;
        int cut = char.IsHighSurrogate(label[max - 2]) ? max - 2 : max - 1;
        return label[..cut] + "…";
    }
}
