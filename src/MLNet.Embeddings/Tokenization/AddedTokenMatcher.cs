using System.Buffers;

namespace MLNet.Embeddings.Tokenization;

/// <summary>
/// Finds added tokens in a text the way HF's added vocabulary does: leftmost-longest, non-overlapping,
/// with the single_word / lstrip / rstrip rules. A <see cref="SearchValues{T}"/> over first characters
/// skips quickly over text without candidates.
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly SearchValues<char> _first;
    private readonly Dictionary<char, AddedToken[]> _byFirst;

    public AddedTokenMatcher(IEnumerable<AddedToken> tokens, Func<string, string>? contentOf = null)
    {
        var list = tokens.Where(t => t.Content.Length > 0)
            .Select(t => contentOf is null ? t : t with { Content = contentOf(t.Content) })
            .Where(t => t.Content.Length > 0).ToList();
        _byFirst = list.GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
        _first = SearchValues.Create(_byFirst.Keys.ToArray());
        Count = list.Count;
    }

    /// <summary>Number of tokens.</summary>
    public int Count { get; }

    /// <summary>
    /// Finds the next match at or after <paramref name="from"/>; <paramref name="previousEnd"/> bounds lstrip.
    /// Returns false when there is none.
    /// </summary>
    public bool FindNext(ReadOnlySpan<char> text, int from, int previousEnd, out int start, out int end, out int id)
    {
        int pos = from;
        while (pos < text.Length)
        {
            int idx = text[pos..].IndexOfAny(_first);
            if (idx < 0) break;
            int p = pos + idx;
            AddedToken? hit = null;
            foreach (var t in _byFirst[text[p]])
                if (text[p..].StartsWith(t.Content, StringComparison.Ordinal)) { hit = t; break; }
            if (hit is null) { pos = p + 1; continue; }
            int s = p, e = p + hit.Content.Length;
            if (hit.SingleWord && ((s > 0 && IsWordChar(text[s - 1])) || (e < text.Length && IsWordChar(text[e]))))
            {
                pos = e; // the automaton resumes after a discarded match
                continue;
            }
            if (hit.LStrip)
            {
                while (s > 0 && char.IsWhiteSpace(text[s - 1])) s--;
                s = Math.Max(s, previousEnd);
            }
            if (hit.RStrip)
                while (e < text.Length && char.IsWhiteSpace(text[e])) e++;
            start = s; end = e; id = hit.Id;
            return true;
        }
        start = end = id = -1;
        return false;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_' ||
        char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark;
}
