namespace MLNet.Embeddings.Training.Data.Mining;

/// <summary>What <see cref="HardNegativeMiner"/> did: counts of negatives per row, excluded candidates and a score histogram.</summary>
public sealed class MiningSummary
{
    /// <summary>"bm25", "dense" or "hybrid".</summary>
    public string Method { get; set; } = "";
    /// <summary>Distinct texts in the corpus searched.</summary>
    public int CorpusSize { get; set; }
    /// <summary>Rows mined.</summary>
    public long Rows { get; set; }
    /// <summary>Rows that got the requested number of negatives.</summary>
    public long RowsWithAllNegatives { get; set; }
    /// <summary>Rows that got fewer (window too small or caps too strict).</summary>
    public long RowsWithFewerNegatives { get; set; }
    /// <summary>
    /// Why rows came out short, rows per cause: <c>window</c> (fewer candidates than requested in ranks
    /// RangeMin + 1 … RangeMax: the window is narrow or the search found few matches), <c>max_score</c> and
    /// <c>margin</c> (the filter skipped candidates of the row). A row counts under every cause that applied.
    /// </summary>
    public SortedDictionary<string, long> ShortRowsByCause { get; } = new(StringComparer.Ordinal);
    /// <summary>The first short rows (up to 20, in file order): line, negatives found and causes.</summary>
    public List<ShortRow> ShortRows { get; } = new();
    /// <summary>Number of rows by number of mined negatives.</summary>
    public SortedDictionary<int, long> NegativesPerRow { get; } = new();
    /// <summary>Candidates in the window skipped by <see cref="MiningOptions.MaxScore"/>.</summary>
    public long SkippedByMaxScore { get; set; }
    /// <summary>Candidates in the window skipped by a margin to the positive's score.</summary>
    public long SkippedByMargin { get; set; }
    /// <summary>Candidates removed because they were the query or a positive of the row.</summary>
    public long RemovedPositives { get; set; }
    /// <summary>Mean score of the positives (the minimum per row) under the mining scorer.</summary>
    public double MeanPositiveScore { get; set; }
    /// <summary>Mean score of the mined negatives.</summary>
    public double MeanNegativeScore { get; set; }
    /// <summary>Histogram of mined negative scores: 10 equal bins from the lowest to the highest score.</summary>
    public List<HistogramBin> ScoreHistogram { get; } = new();
}

/// <summary>A row that got fewer negatives than requested.</summary>
/// <param name="Line">1-based line in the input (0 for rows not from a file).</param>
/// <param name="Negatives">Negatives it got.</param>
/// <param name="WindowCandidates">Candidates in the rank window before the score filters.</param>
/// <param name="Causes">window, max_score and/or margin (see <see cref="MiningSummary.ShortRowsByCause"/>).</param>
public sealed record ShortRow(int Line, int Negatives, int WindowCandidates, IReadOnlyList<string> Causes);

/// <summary>One histogram bin [From, To) (the last one includes To).</summary>
/// <param name="From">Lower edge.</param>
/// <param name="To">Upper edge.</param>
/// <param name="Count">Values in the bin.</param>
public sealed record HistogramBin(double From, double To, long Count);
