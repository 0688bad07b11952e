namespace BatchScoringExample;

/// <summary>What a finished run wrote.</summary>
/// <param name="InputPath">The scored file (generated or given).</param>
/// <param name="OutputPath">The embeddings file.</param>
/// <param name="Rows">Rows written.</param>
/// <param name="Dimensions">Vector size.</param>
/// <param name="Seconds">Wall seconds of the scoring loop (model load included).</param>
/// <param name="CpuSeconds">CPU seconds of the process over the same span.</param>
public sealed record BatchScoringResult(string InputPath, string OutputPath, long Rows, int Dimensions, double Seconds, double CpuSeconds)
{
    /// <summary>Rows per wall second.</summary>
    public double RowsPerSecond => Seconds > 0 ? Rows / Seconds : 0;
}
