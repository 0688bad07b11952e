using System.Globalization;
using System.Text;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Training curves as one SVG: a panel for the loss, one for the learning rate, and one per evaluation metric, all
/// over training steps, stacked vertically with shared step range. Each series is a <c>&lt;path class="series"&gt;</c>;
/// evaluation points are also marked with circles.
/// </summary>
public static class TrainingCurvePlot
{
    /// <summary>Renders the log's curves.</summary>
    /// <param name="log">The parsed metrics log.</param>
    /// <param name="width">Drawing width. Default 860.</param>
    /// <param name="panelHeight">Height of each panel. Default 220.</param>
    /// <param name="title">Title on top, or null.</param>
    public static string ToSvg(TrainingLog log, int width = 860, int panelHeight = 220, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var panels = new List<(string Title, IReadOnlyList<(double Step, double Value)> Points, bool Markers)>();
        if (log.Train.TryGetValue("loss", out var loss)) panels.Add(("loss", loss, false));
        if (log.Train.TryGetValue("learning_rate", out var lr)) panels.Add(("learning rate", lr, false));
        foreach (var (name, series) in log.Eval) panels.Add(($"eval: {name}", series, true));
        if (panels.Count == 0) throw new ArgumentException("The log holds no loss, learning_rate or eval values to plot.", nameof(log));

        double minStep = panels.Min(p => p.Points.Min(q => q.Step)), maxStep = panels.Max(p => p.Points.Max(q => q.Step));
        if (maxStep <= minStep) maxStep = minStep + 1;
        double top = title is null ? 10 : 45;
        int height = (int)Math.Ceiling(top + panels.Count * panelHeight + 10);
        string W = width.ToString(CultureInfo.InvariantCulture), H = height.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append($"<rect x=\"0\" y=\"0\" width=\"{W}\" height=\"{H}\" fill=\"#ffffff\"/>\n");
        if (title is not null)
            sb.Append($"<text x=\"{Svg.N(width / 2.0)}\" y=\"28\" text-anchor=\"middle\" font-size=\"18\">{Svg.Escape(title)}</text>\n");
        for (int i = 0; i < panels.Count; i++)
            Panel(sb, panels[i].Title, panels[i].Points, panels[i].Markers, Svg.Color(i), 0, top + i * panelHeight, width, panelHeight, minStep, maxStep);
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static void Panel(StringBuilder sb, string title, IReadOnlyList<(double Step, double Value)> points, bool markers, string color,
        double x0, double y0, double width, double height, double minStep, double maxStep)
    {
        const double left = 80, right = 20, titleH = 26, bottom = 36;
        double px = x0 + left, py = y0 + titleH, pw = width - left - right, ph = height - titleH - bottom;
        double minV = points.Min(p => p.Value), maxV = points.Max(p => p.Value);
        if (maxV - minV < 1e-12 * Math.Max(1, Math.Abs(maxV))) { double d = Math.Max(Math.Abs(maxV) * 0.05, 1e-9); minV -= d; maxV += d; }
        else { double d = (maxV - minV) * 0.05; minV -= d; maxV += d; }
        double X(double s) => px + (s - minStep) / (maxStep - minStep) * pw;
        double Y(double v) => py + (maxV - v) / (maxV - minV) * ph;

        sb.Append($"<g class=\"panel\">\n<text x=\"{Svg.N(px)}\" y=\"{Svg.N(y0 + 18)}\" font-size=\"14\" font-weight=\"bold\">{Svg.Escape(title)}</text>\n");
        sb.Append($"<rect x=\"{Svg.N(px)}\" y=\"{Svg.N(py)}\" width=\"{Svg.N(pw)}\" height=\"{Svg.N(ph)}\" fill=\"none\" stroke=\"#999999\"/>\n");
        foreach (var t in Svg.Ticks(minV, maxV, 4))
        {
            double y = Y(t);
            sb.Append($"<line x1=\"{Svg.N(px)}\" y1=\"{Svg.N(y)}\" x2=\"{Svg.N(px + pw)}\" y2=\"{Svg.N(y)}\" stroke=\"#eeeeee\"/>");
            sb.Append($"<text x=\"{Svg.N(px - 6)}\" y=\"{Svg.N(y + 4)}\" text-anchor=\"end\" fill=\"#444444\">{Svg.Escape(Svg.Label(t))}</text>\n");
        }
        foreach (var t in Svg.Ticks(minStep, maxStep, 6))
        {
            double x = X(t);
            sb.Append($"<line x1=\"{Svg.N(x)}\" y1=\"{Svg.N(py + ph)}\" x2=\"{Svg.N(x)}\" y2=\"{Svg.N(py + ph + 5)}\" stroke=\"#999999\"/>");
            sb.Append($"<text x=\"{Svg.N(x)}\" y=\"{Svg.N(py + ph + 18)}\" text-anchor=\"middle\" fill=\"#444444\">{Svg.Escape(Svg.Label(t))}</text>\n");
        }
        sb.Append($"<text x=\"{Svg.N(px + pw)}\" y=\"{Svg.N(py + ph + 32)}\" text-anchor=\"end\" fill=\"#444444\">step</text>\n");
        var path = new StringBuilder();
        for (int i = 0; i < points.Count; i++)
            path.Append(i == 0 ? "M" : " L").Append(Svg.N(X(points[i].Step))).Append(',').Append(Svg.N(Y(points[i].Value)));
        sb.Append($"<path class=\"series\" d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.8\"/>\n");
        if (markers || points.Count == 1)
            foreach (var p in points)
                sb.Append($"<circle class=\"marker\" cx=\"{Svg.N(X(p.Step))}\" cy=\"{Svg.N(Y(p.Value))}\" r=\"3\" fill=\"{color}\"/>\n");
        sb.Append("</g>\n");
    }
}
