using System.Diagnostics;
using Xunit.Abstractions;

namespace MLNet.Embeddings.Training.Tests.Evaluation;

/// <summary>
/// Renders the SVG plots in headless Chromium and checks the screenshots are not blank. Chromium is optional:
/// without it the test is reported as skipped, with the reason (<see cref="ChromiumFactAttribute"/>); set
/// MLNET_REQUIRE_CHROMIUM=1 to make it run, and fail, instead.
/// </summary>
public class ChromiumRenderTests(ITestOutputHelper output)
{
    internal static string? FindChromium(string? pathVariable = null)
    {
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
            foreach (var dir in (pathVariable ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var path = Path.Combine(dir, name);
                if (File.Exists(path)) return path;
            }
        return null;
    }

    private static string Render(string chromium, string svgPath, string pngPath, int width, int height)
    {
        var psi = new ProcessStartInfo(chromium)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                     $"--screenshot={pngPath}", $"--window-size={width},{height}", new Uri(svgPath).AbsoluteUri,
                 })
            psi.ArgumentList.Add(arg);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(180_000)) { p.Kill(true); throw new TimeoutException("chromium did not finish in 180 s"); }
        return stderr.Result;
    }

    [ChromiumFact]
    public void SvgPlotsRenderNonBlankInChromium()
    {
        var chromium = FindChromium();
        Assert.True(chromium is not null, "MLNET_REQUIRE_CHROMIUM=1 but chromium is not on PATH (apt-get install chromium).");
        var dir = EvaluationFixtures.TempDir();
        try
        {
            // Both SVG files are loaded as images by one HTML page (one Chromium start; an SVG only renders as an
            // <img> when it is a valid standalone document), the scatter on top of the curves.
            var scatter = Path.Combine(dir, "scatter.svg");
            File.WriteAllText(scatter, PlotTests.ScatterSvg(out _, out _));
            var curves = Path.Combine(dir, "curves.svg");
            File.WriteAllText(curves, PlotTests.CurveSvg());
            const int width = 900, scatterH = 640, curvesH = 940;
            var page = Path.Combine(dir, "page.html");
            File.WriteAllText(page, $"""
                <!DOCTYPE html><html><body style="margin:0;background:#fff">
                <img src="scatter.svg" width="{width}" height="{scatterH}" style="display:block">
                <img src="curves.svg" width="{width}" height="{curvesH}" style="display:block">
                </body></html>
                """);
            var png = Path.Combine(dir, "page.png");
            var log = Render(chromium, page, png, width, scatterH + curvesH);
            Assert.True(File.Exists(png), $"chromium wrote no screenshot: {log}");
            var image = PngImage.Read(png);
            Assert.Equal((width, scatterH + curvesH), (image.Width, image.Height));
            foreach (var (name, top, height) in new[] { ("scatter", 0, scatterH), ("curves", scatterH, curvesH) })
            {
                var region = image.Pixels.Skip(top * width).Take(height * width).ToArray();
                int colours = region.Distinct().Count();
                double nonWhite = region.Count(p => p.R < 240 || p.G < 240 || p.B < 240) / (double)region.Length;
                output.WriteLine($"{name}: {colours} colours, {nonWhite:P1} non-white");
                Assert.True(colours > 10, $"{name} looks blank: {colours} distinct colours.");
                Assert.InRange(nonWhite, 0.005, 0.9);
            }
            var keep = Environment.GetEnvironmentVariable("MLNET_KEEP_RENDERS");
            if (!string.IsNullOrEmpty(keep)) { Directory.CreateDirectory(keep); File.Copy(png, Path.Combine(keep, "page.png"), true); }
        }
        finally { Directory.Delete(dir, true); }
    }
}
