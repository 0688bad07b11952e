namespace MLNet.Embeddings.Training.Tests.Evaluation;

/// <summary>The render test is skipped, with its reason, exactly when Chromium is missing and not required.</summary>
public class ChromiumFactTests
{
    [Fact]
    public void SkipsWithAReasonOnlyWhenChromiumIsMissingAndNotRequired()
    {
        string empty = Path.Combine(Path.GetTempPath(), "mlnet-nochromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(empty);
        Assert.Equal(ChromiumFactAttribute.Reason, ChromiumFactAttribute.SkipReason(empty, null));
        Assert.Contains("chromium not found on PATH", ChromiumFactAttribute.Reason);
        Assert.Null(ChromiumFactAttribute.SkipReason(empty, "1")); // required: runs, and its assertion fails

        string withChromium = Path.Combine(Path.GetTempPath(), "mlnet-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(withChromium);
        File.WriteAllText(Path.Combine(withChromium, "chromium-browser"), "");
        Assert.Null(ChromiumFactAttribute.SkipReason(empty + Path.PathSeparator + withChromium, null));
    }

    [Fact]
    public void TheRenderTestUsesTheSkippingFact() =>
        Assert.NotNull(typeof(ChromiumRenderTests).GetMethod(nameof(ChromiumRenderTests.SvgPlotsRenderNonBlankInChromium))!
            .GetCustomAttributes(typeof(ChromiumFactAttribute), false).SingleOrDefault());
}
