namespace MLNet.Embeddings.Training.Tests.Evaluation;

/// <summary>
/// A fact that is reported as skipped, with how to get Chromium, when no chromium / chromium-browser / google-chrome is
/// on PATH (decided at discovery: xunit 2 has no skip from inside a test). MLNET_REQUIRE_CHROMIUM=1 never skips.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Reason = "chromium not found on PATH (apt-get install chromium, or .ci/run installs it): the SVG rendering check did not run.";

    public ChromiumFactAttribute()
    {
        Skip = SkipReason(Environment.GetEnvironmentVariable("PATH"), Environment.GetEnvironmentVariable("MLNET_REQUIRE_CHROMIUM"));
    }

    /// <summary>The skip reason for a PATH and MLNET_REQUIRE_CHROMIUM value, or null to run.</summary>
    internal static string? SkipReason(string? pathVariable, string? require) =>
        require != "1" && ChromiumRenderTests.FindChromium(pathVariable ?? "") is null ? Reason : null;
}
