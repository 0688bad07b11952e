namespace MLNet.Embeddings.Training.Data;

/// <summary>Overlaps between dataset files, from <see cref="LeakageChecker"/>.</summary>
public sealed class LeakageReport
{
    /// <summary>Per file: path, rows and distinct texts.</summary>
    public List<LeakageFile> Files { get; } = new();
    /// <summary>One entry per pair of files (i &lt; j).</summary>
    public List<LeakagePair> Pairs { get; } = new();
    /// <summary>True when no pair shares an exact or near-duplicate text.</summary>
    public bool Clean => Pairs.All(p => p.ExactOverlap == 0 && p.NearDuplicateOverlap == 0);
}

/// <summary>A file in a leakage check.</summary>
/// <param name="Path">The file.</param>
/// <param name="Rows">Rows read.</param>
/// <param name="Texts">Distinct texts (queries and positives, plus negatives when asked).</param>
public sealed record LeakageFile(string Path, long Rows, int Texts);

/// <summary>Overlap between two files.</summary>
public sealed class LeakagePair
{
    /// <summary>The first file.</summary>
    public string A { get; set; } = "";
    /// <summary>The second file.</summary>
    public string B { get; set; } = "";
    /// <summary>Distinct texts of B that also occur in A (after <see cref="TextNormalizer.Key"/>).</summary>
    public long ExactOverlap { get; set; }
    /// <summary>Distinct texts of B, not exact matches, with a near duplicate in A.</summary>
    public long NearDuplicateOverlap { get; set; }
    /// <summary>Up to 20 examples: the line in B, the line in A, and the kind ("exact" or "near").</summary>
    public List<LeakageExample> Examples { get; } = new();
}

/// <summary>One leaked text.</summary>
/// <param name="LineInB">1-based line of the text in file B.</param>
/// <param name="LineInA">1-based line of the matching text in file A.</param>
/// <param name="Kind">"exact" or "near".</param>
/// <param name="Similarity">Estimated Jaccard similarity (1 for exact).</param>
public sealed record LeakageExample(int LineInB, int LineInA, string Kind, double Similarity);
