using System.Globalization;
using System.Text;

namespace MLNet.Embeddings.Training.Data.Mining;

/// <summary>
/// Splits text into BM25 terms. The text is NFKC-normalised and lowercased; runs of letters and digits form
/// words (everything else separates them); runs of CJK characters (Han, Hiragana, Katakana, Hangul) become
/// overlapping character bigrams, a lone CJK character a unigram (as Lucene's CJK analyzer). Optionally drops
/// English stop words (Lucene's English stop set plus the clitics "s" and "t").
/// </summary>
public sealed class TextAnalyzer
{
    /// <summary>Lucene's English stop words (EnglishAnalyzer.ENGLISH_STOP_WORDS_SET) plus "s" and "t".</summary>
    public static readonly IReadOnlySet<string> EnglishStopWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
        "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
        "s", "t",
    };

    /// <summary>Creates an analyzer.</summary>
    /// <param name="removeStopWords">Drop <see cref="EnglishStopWords"/>. Default true.</param>
    public TextAnalyzer(bool removeStopWords = true) => RemoveStopWords = removeStopWords;

    /// <summary>Whether English stop words are dropped.</summary>
    public bool RemoveStopWords { get; }

    /// <summary>The terms of <paramref name="text"/>, in order (repeats kept).</summary>
    public List<string> Analyze(string text)
    {
        var terms = new List<string>();
        ForEachTerm(text, t => terms.Add(t.ToString()));
        return terms;
    }

    /// <summary>Receives one term as a span (valid only during the call).</summary>
    internal delegate void TermHandler(ReadOnlySpan<char> term);

    /// <summary>Calls <paramref name="handler"/> for every term, in order, without allocating a string per term.</summary>
    internal void ForEachTerm(string text, TermHandler handler)
    {
        var s = text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        s = s.ToLower(CultureInfo.InvariantCulture);
        var stop = EnglishStopWordLookup;
        int i = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (IsCjk(c))
            {
                int start = i;
                while (i < s.Length && IsCjk(s[i])) i++;
                int len = i - start;
                if (len == 1) handler(s.AsSpan(start, 1));
                else for (int j = start; j + 1 < i; j++) handler(s.AsSpan(j, 2));
            }
            else if (char.IsLetterOrDigit(c) || char.IsSurrogate(c) || IsMark(c))
            {
                int start = i;
                while (i < s.Length && !IsCjk(s[i]) && (char.IsLetterOrDigit(s[i]) || char.IsSurrogate(s[i]) || IsMark(s[i]))) i++;
                var w = s.AsSpan(start, i - start);
                if (!RemoveStopWords || !stop.Contains(w)) handler(w);
            }
            else i++;
        }
    }

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> EnglishStopWordLookup =
        ((HashSet<string>)EnglishStopWords).GetAlternateLookup<ReadOnlySpan<char>>();

    private static bool IsMark(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

    /// <summary>Whether <paramref name="c"/> is a Han, Hiragana, Katakana or Hangul character.</summary>
    public static bool IsCjk(char c) =>
        (c >= '\u4E00' && c <= '\u9FFF') || (c >= '\u3400' && c <= '\u4DBF') || (c >= '\uF900' && c <= '\uFAFF') ||
        (c >= '\u3040' && c <= '\u309F') || (c >= '\u30A0' && c <= '\u30FF') || (c >= '\uAC00' && c <= '\uD7AF') ||
        (c >= '\u1100' && c <= '\u11FF') || (c >= '\u3130' && c <= '\u318F');
}
