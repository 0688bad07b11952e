namespace MLNet.Embeddings.Data;

/// <summary>
/// CSV / TSV text is malformed (an unclosed quote, or text after a closing quote). <see cref="Line"/> is the 1-based line
/// and <see cref="Reason"/> the problem without it, so a caller that adds its own <c>file:line</c> prefix states the line once.
/// </summary>
public sealed class CsvFormatException : FormatException
{
    /// <summary>Creates the exception; the message reads <c>line N: reason</c>.</summary>
    /// <param name="line">1-based line of the problem.</param>
    /// <param name="reason">What is wrong, without the line.</param>
    public CsvFormatException(int line, string reason) : base($"line {line}: {reason}")
    { Line = line; Reason = reason; }

    /// <summary>1-based line of the problem.</summary>
    public int Line { get; }

    /// <summary>What is wrong, without the line number.</summary>
    public string Reason { get; }
}
