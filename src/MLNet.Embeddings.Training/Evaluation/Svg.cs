using System.Globalization;
using System.Text;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>Small helpers for writing SVG by hand: escaping, numbers, colours, axis ticks.</summary>
internal static class Svg
{
    // Tableau 10, then colours spread around the hue circle by the golden angle.
    private static readonly string[] Tableau =
    {
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    };

    /// <summary>Text safe inside an element or a double-quoted attribute; drops characters XML 1.0 forbids.</summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                default:
                    if (c >= 0x20 || c is '\t' or '\n' or '\r')
                    {
                        if (c is '\uFFFE' or '\uFFFF') break;
                        sb.Append(c);
                    }
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A coordinate with two decimals, invariant culture.</summary>
    public static string N(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A distinct colour for series <paramref name="index"/>.</summary>
    public static string Color(int index)
    {
        if (index < Tableau.Length) return Tableau[index];
        double hue = (index * 137.508) % 360;
        double lightness = index % 2 == 0 ? 42 : 58;
        return $"hsl({hue.ToString("0.#", CultureInfo.InvariantCulture)},65%,{lightness.ToString(CultureInfo.InvariantCulture)}%)";
    }

    /// <summary>About <paramref name="count"/> round tick values covering [min, max].</summary>
    public static double[] Ticks(double min, double max, int count = 5)
    {
        if (!(max > min)) return new[] { min };
        double step = NiceStep((max - min) / Math.Max(1, count));
        double first = Math.Ceiling(min / step - 1e-9) * step;
        var ticks = new List<double>();
        for (double t = first; t <= max + step * 1e-9; t += step) ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        return ticks.ToArray();
    }

    /// <summary>Short tick label: plain for ordinary magnitudes, exponent form for tiny or huge values.</summary>
    public static string Label(double v)
    {
        double a = Math.Abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e6)) return v.ToString("0.##e0", CultureInfo.InvariantCulture);
        return v.ToString("0.####", CultureInfo.InvariantCulture);
    }

    private static double NiceStep(double raw)
    {
        double exp = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / exp;
        double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
        return nice * exp;
    }
}
